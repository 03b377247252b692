using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace StreamList.Wire;

/// <summary>
/// Protobuf writer that fills its buffer from the end towards the start, as gogo-protobuf's
/// <c>MarshalToSizedBuffer</c> does: a nested message is written first and its length is then
/// known, so one pass gives the exact, canonical bytes with no size pre-computation.
///
/// Contract: callers write fields in reverse order (highest field number first, repeated
/// elements last to first); <see cref="WrittenSpan"/> is then in forward order.
/// </summary>
internal sealed class ProtoWriter
{
    private byte[] _buffer;
    private int _start;

    public ProtoWriter(int initialCapacity = 4096)
    {
        _buffer = new byte[Math.Max(16, initialCapacity)];
        _start = _buffer.Length;
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _buffer.Length - _start;

    /// <summary>The written bytes, in wire order.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(_start);

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset() => _start = _buffer.Length;

    public byte[] ToArray() => WrittenSpan.ToArray();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int n)
    {
        if (_start < n)
            Grow(n);
        _start -= n;
        return _buffer.AsSpan(_start, n);
    }

    private void Grow(int n)
    {
        int used = Length;
        int size = Math.Max(_buffer.Length * 2, used + n + 16);
        var bigger = new byte[size];
        _buffer.AsSpan(_start).CopyTo(bigger.AsSpan(size - used));
        _buffer = bigger;
        _start = size - used;
    }

    public void WriteVarint(ulong value)
    {
        int size = VarintSize(value);
        var span = Reserve(size);
        for (int i = 0; i < size - 1; i++)
        {
            span[i] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[size - 1] = (byte)value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteTag(int fieldNumber, WireType wireType) => WriteVarint((uint)(fieldNumber << 3) | (uint)wireType);

    public void WriteInt32(int field, int value)
    {
        WriteVarint((ulong)(long)value);
        WriteTag(field, WireType.Varint);
    }

    public void WriteInt64(int field, long value)
    {
        WriteVarint((ulong)value);
        WriteTag(field, WireType.Varint);
    }

    public void WriteBool(int field, bool value)
    {
        Reserve(1)[0] = value ? (byte)1 : (byte)0;
        WriteTag(field, WireType.Varint);
    }

    public void WriteDouble(int field, double value)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), BitConverter.DoubleToInt64Bits(value));
        WriteTag(field, WireType.Fixed64);
    }

    public void WriteFloat(int field, float value)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), BitConverter.SingleToInt32Bits(value));
        WriteTag(field, WireType.Fixed32);
    }

    public void WriteString(int field, string value)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, Reserve(n));
        WriteVarint((uint)n);
        WriteTag(field, WireType.LengthDelimited);
    }

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        value.CopyTo(Reserve(value.Length));
        WriteVarint((uint)value.Length);
        WriteTag(field, WireType.LengthDelimited);
    }

    /// <summary>Writes raw bytes with no tag or length (the envelope magic).</summary>
    public void WriteRaw(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    /// <summary>Marks the end of a nested message about to be written (backwards).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int BeginMessage() => Length;

    /// <summary>Closes a nested message begun at <paramref name="mark"/>: prefixes its length and tag.</summary>
    public void EndMessage(int field, int mark)
    {
        WriteVarint((uint)(Length - mark));
        WriteTag(field, WireType.LengthDelimited);
    }

    public static int VarintSize(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }
}
