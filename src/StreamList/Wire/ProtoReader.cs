using System.Runtime.CompilerServices;
using System.Text;
using StreamList.Memory;

namespace StreamList.Wire;

/// <summary>
/// Protobuf reader over one contiguous span: varints, lengths, scalars, nested-message limits,
/// skipping unknown fields of every wire type. Pure: no I/O, no allocation except the values
/// it returns (strings and byte arrays are copies the caller owns).
///
/// Contract: every read is bounded by the current message limit; a length or value that runs
/// past it throws <see cref="KubernetesWireException"/> before anything is allocated for it.
/// Nesting deeper than the depth limit throws. The reader tracks the field
/// names it is inside, so errors name the path.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly long _baseOffset;
    private readonly int _maxDepth;
    private int _pos;
    private int _limit;
    private int _depth;
    private int _deepest;
    private int _groups;
    private string? _field;
    private FieldPathBuffer _path;

    /// <summary>Strings of fields marked for interning go through this pool when set.</summary>
    public readonly Utf8StringPool? Strings;

    /// <summary>
    /// ObjectMeta.managedFields read at this depth are skipped, never built (the generated ObjectMeta
    /// reader asks): 1 for an object's own metadata, 2 for a list's items; 0 keeps every one.
    /// </summary>
    public readonly int SkipManagedFieldsAtDepth;

    /// <summary>
    /// ObjectMeta.managedFields read at this depth are kept as bytes and decoded when first asked for
    /// (<see cref="Codec.DeferredManagedFields"/>): 1 for an object's own metadata; 0 defers none.
    /// </summary>
    public readonly int DeferManagedFieldsAtDepth;

    /// <summary>Parts of the shared types come from, and go to, <see cref="Codec.PartCache"/> (<see cref="Codec.DecodeOptions.ShareParts"/>).</summary>
    public readonly bool ShareParts;

    public ProtoReader(ReadOnlySpan<byte> buffer, long baseOffset = 0, Utf8StringPool? strings = null, int maxDepth = DecodeLimits.DefaultMaxDepth,
        int skipManagedFieldsAtDepth = 0, bool shareParts = false, int deferManagedFieldsAtDepth = 0)
    {
        _buffer = buffer;
        _baseOffset = baseOffset;
        _limit = buffer.Length;
        _maxDepth = Math.Min(maxDepth, FieldPathBuffer.Capacity);
        Strings = strings;
        SkipManagedFieldsAtDepth = skipManagedFieldsAtDepth;
        ShareParts = shareParts;
        DeferManagedFieldsAtDepth = deferManagedFieldsAtDepth;
    }

    /// <summary>Position within the span.</summary>
    public readonly int Position => _pos;

    /// <summary>End of the current message.</summary>
    public readonly int Limit => _limit;

    /// <summary>Position as a byte offset from the start of the whole body (what errors report).</summary>
    public readonly long AbsolutePosition => _baseOffset + _pos;

    /// <summary>Messages (and groups) the reader is inside.</summary>
    public readonly int Depth => _depth;

    /// <summary>
    /// The deepest nesting reached so far (messages and groups entered); <see cref="Codec.PartCache"/>
    /// resets and restores it around a part to learn how deep the part's own decode goes.
    /// </summary>
    public int Deepest { readonly get => _deepest; set => _deepest = value; }

    /// <summary>Deepest nesting this reader accepts.</summary>
    public readonly int MaxDepth => _maxDepth;

    /// <summary>Reads the next tag of the current message, or returns false at its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadTag(out uint tag)
    {
        // The previous field is done: an error from here on (a cut or bad tag) must not name it.
        _field = null;
        if (_pos >= _limit)
        {
            tag = 0;
            return false;
        }
        byte b = _buffer[_pos];
        if (b < 0x80)
        {
            _pos++;
            tag = b;
        }
        else
        {
            ulong v = ReadVarintSlow();
            if (v > uint.MaxValue)
                throw Error(WireErrorKind.InvalidTag, "tag does not fit 32 bits");
            tag = (uint)v;
        }
        if (tag >> 3 == 0)
            throw Error(WireErrorKind.InvalidTag, "field number 0");
        return true;
    }

    /// <summary>Checks that a known field arrived with the wire type its schema uses, and records its name for error paths.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Expect(uint tag, WireType expected, string field)
    {
        _field = field;
        if ((WireType)(tag & 7) != expected)
            throw WrongWireType(tag, expected);
    }

    /// <summary>Records the field name for error paths (used where two wire types are legal, e.g. packed repeated scalars).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Named(string field) => _field = field;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint64()
    {
        if (_pos < _limit)
        {
            byte b = _buffer[_pos];
            if (b < 0x80)
            {
                _pos++;
                return b;
            }
        }
        return ReadVarintSlow();
    }

    private ulong ReadVarintSlow()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _limit)
                throw Error(EndKind, AtTopLevel ? "input ends inside a varint" : "varint runs past the end of the enclosing message");
            byte b = _buffer[_pos++];
            if (shift == 63 && b > 1)
                throw Error(WireErrorKind.MalformedVarint, "varint overflows 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw Error(WireErrorKind.MalformedVarint, "varint longer than 10 bytes");
    }

    public int ReadInt32() => (int)ReadVarint64();

    public long ReadInt64() => (long)ReadVarint64();

    public bool ReadBool() => ReadVarint64() != 0;

    public double ReadDouble()
    {
        RequireBytes(8);
        double v = BitConverter.Int64BitsToDouble((long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_pos, 8)));
        _pos += 8;
        return v;
    }

    public float ReadFloat()
    {
        RequireBytes(4);
        float v = BitConverter.Int32BitsToSingle((int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Slice(_pos, 4)));
        _pos += 4;
        return v;
    }

    /// <summary>Reads a length prefix and checks it fits inside the current message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadLength()
    {
        ulong len = ReadVarint64();
        if (len > (ulong)(_limit - _pos))
            throw Error(EndKind,
                $"declared length {len} runs past the {EndName} ({_limit - _pos} bytes left)");
        return (int)len;
    }

    /// <summary>Reads a length-delimited field and returns its bytes as a view of the input.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        int len = ReadLength();
        var span = _buffer.Slice(_pos, len);
        _pos += len;
        return span;
    }

    public string ReadString()
    {
        int len = ReadLength();
        if (len == 0)
            return string.Empty;
        string s = Utf8Text.ToString(_buffer.Slice(_pos, len));
        _pos += len;
        return s;
    }

    /// <summary>Reads a string that repeats across a cluster (namespaces, label keys, images); shared through the pool when one is set.</summary>
    public string ReadInternedString()
    {
        if (Strings is null)
            return ReadString();
        int len = ReadLength();
        string s = Strings.Get(_buffer.Slice(_pos, len));
        _pos += len;
        return s;
    }

    public byte[] ReadBytes() => ReadLengthDelimited().ToArray();

    /// <summary>
    /// The next length-delimited field's content without reading it (the position stays), checked
    /// as <see cref="ReadLengthDelimited"/> checks it; <paramref name="recordLength"/>: its length prefix and content.
    /// </summary>
    public ReadOnlySpan<byte> PeekLengthDelimited(out int recordLength)
    {
        int start = _pos;
        int len = ReadLength();
        var content = _buffer.Slice(_pos, len);
        recordLength = _pos - start + len;
        _pos = start;
        return content;
    }

    /// <summary>Bytes of the input at <paramref name="start"/> (a position this reader has been at), as a view.</summary>
    public readonly ReadOnlySpan<byte> Bytes(int start, int length) => _buffer.Slice(start, length);

    /// <summary>Skips <paramref name="n"/> bytes already checked to be inside the message.</summary>
    public void SkipBytes(int n) => _pos += n;

    /// <summary>Enters a nested message: reads its length and narrows the limit. Returns the limit to restore.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int EnterMessage()
    {
        int len = ReadLength();
        if (_depth >= _maxDepth)
            throw Error(WireErrorKind.TooDeep, $"messages nested deeper than {_maxDepth}");
        _path[_depth++] = _field;
        if (_depth > _deepest)
            _deepest = _depth;
        _field = null;
        int saved = _limit;
        _limit = _pos + len;
        return saved;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ExitMessage(int savedLimit)
    {
        _pos = _limit;
        _limit = savedLimit;
        _field = _path[--_depth];
    }

    /// <summary>Skips a field of any wire type that the schema does not know.</summary>
    public void SkipField(uint tag)
    {
        switch ((WireType)(tag & 7))
        {
            case WireType.Varint:
                ReadVarint64();
                break;
            case WireType.Fixed64:
                RequireBytes(8);
                _pos += 8;
                break;
            case WireType.LengthDelimited:
                // Not `_pos += ReadLength()`: that reads _pos before ReadLength moves it past the
                // length prefix, landing inside the skipped field.
                int length = ReadLength();
                _pos += length;
                break;
            case WireType.StartGroup:
                SkipGroup(tag >> 3);
                break;
            case WireType.Fixed32:
                RequireBytes(4);
                _pos += 4;
                break;
            case WireType.EndGroup:
                throw Error(WireErrorKind.InvalidTag, $"end-group for field {tag >> 3} without its start");
            default:
                throw Error(WireErrorKind.InvalidTag, $"wire type {tag & 7} does not exist");
        }
    }

    private void SkipGroup(uint fieldNumber)
    {
        if (_depth >= _maxDepth)
            throw Error(WireErrorKind.TooDeep, $"groups nested deeper than {_maxDepth}");
        // A group has no field name of its own: clear the slot so errors inside it do not name
        // whatever message last used this depth.
        _path[_depth++] = null;
        if (_depth > _deepest)
            _deepest = _depth;
        _groups++;
        while (true)
        {
            if (!TryReadTag(out uint tag))
                throw Error(EndKind,
                    $"group {fieldNumber} has no end-group before the end of the {EndName}");
            if ((WireType)(tag & 7) == WireType.EndGroup)
            {
                if (tag >> 3 != fieldNumber)
                    throw Error(WireErrorKind.InvalidTag, $"end-group {tag >> 3} closes group {fieldNumber}");
                break;
            }
            SkipField(tag);
        }
        _groups--;
        _depth--;
    }

    private readonly void RequireBytes(int n)
    {
        if (_limit - _pos < n)
            throw Error(EndKind, $"needs {n} bytes, {_limit - _pos} left in the {EndName}");
    }

    /// <summary>True while the current limit is the end of the input, not of a nested message (groups have no length of their own).</summary>
    private readonly bool AtTopLevel => _depth == _groups;

    /// <summary>
    /// Running past the current limit: <see cref="WireErrorKind.Truncated"/> at top level, where the
    /// limit is the end of the input (it was cut short); <see cref="WireErrorKind.LengthOutOfRange"/>
    /// inside a nested message, whose length was already checked against the input (so the
    /// message's length and its content disagree, even when it ends where the input ends).
    /// </summary>
    private readonly WireErrorKind EndKind => AtTopLevel ? WireErrorKind.Truncated : WireErrorKind.LengthOutOfRange;

    private readonly string EndName => AtTopLevel ? "input" : "enclosing message";

    private readonly KubernetesWireException WrongWireType(uint tag, WireType expected) =>
        Error(WireErrorKind.WrongWireType, $"field {tag >> 3} has wire type {(WireType)(tag & 7)}, schema says {expected}");

    /// <summary>Builds the exception for the current position and field path.</summary>
    public readonly KubernetesWireException Error(WireErrorKind kind, string reason) =>
        new(kind, _baseOffset + _pos, CurrentPath(), reason);

    /// <summary>Dotted path of the fields the reader is inside, ending at the field being read.</summary>
    public readonly string CurrentPath()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < _depth; i++)
            Append(sb, _path[i]);
        Append(sb, _field);
        return sb.ToString();

        static void Append(StringBuilder sb, string? name)
        {
            if (name is null)
                return;
            if (sb.Length > 0)
                sb.Append('.');
            sb.Append(name);
        }
    }

    [InlineArray(Capacity)]
    private struct FieldPathBuffer
    {
        public const int Capacity = 64;
        private string? _element;
    }
}
