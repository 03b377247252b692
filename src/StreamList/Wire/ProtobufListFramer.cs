using System.Buffers;

namespace StreamList.Wire;

/// <summary>What the list framer found next in the body.</summary>
internal enum ListFrameKind
{
    /// <summary>The envelope's typeMeta: apiVersion and kind of the list.</summary>
    TypeMeta,
    /// <summary>The list's metadata message (ListMeta), complete.</summary>
    Metadata,
    /// <summary>One item's message bytes, complete.</summary>
    Item,
    /// <summary>The envelope's raw is not a list: the whole message (e.g. a Status), complete.</summary>
    WholeMessage,
    /// <summary>The body ended cleanly after the envelope.</summary>
    End,
}

/// <summary>
/// Splits a protobuf list body (<c>k8s\0</c> + runtime.Unknown whose raw is an XList message) into
/// its parts as bytes arrive: typeMeta, the list metadata, and each item, one at a time. Pure: no
/// I/O and no decoding; the read loop around it owns the pipe.
///
/// Contract (as grpc-dotnet's framer): <see cref="TryRead"/> consumes from the front of the buffer
/// only what it returns or skips, and returns false when it needs more bytes. A part is returned
/// only when all its bytes are present; its declared length is checked against the limit before
/// anything is buffered for it. Fields may come in any order; unknown fields of every wire type
/// are skipped, large ones without buffering. <see cref="BufferedNeed"/> says how many bytes the
/// framer is waiting for, so the caller never holds more than one part plus a read window.
/// </summary>
internal sealed class ProtobufListFramer(int maxMessageBytes)
{
    private enum State { Magic, Envelope, List, Done }

    private State _state = State.Magic;
    private long _offset;              // absolute offset of the buffer's start
    private long _listRemaining;       // bytes of raw (the list message) not yet consumed
    private long _skipRemaining;       // bytes of an unknown field still to skip
    private bool _sawRaw;
    private bool _sawContentEncoding;
    private bool _sawContentType;
    private long _items;

    /// <summary>
    /// True (default) while raw is expected to be a list to split into items; set false after a
    /// typeMeta naming a non-list kind (a Status), so raw is returned whole.
    /// </summary>
    public bool ExpectList { get; set; } = true;

    /// <summary>Absolute body offset of the next unconsumed byte.</summary>
    public long Offset => _offset;

    /// <summary>Index of the next item (number of items returned so far).</summary>
    public long ItemIndex => _items;

    /// <summary>
    /// Tries to read the next part. On true, <c>buffer</c> starts after it, <c>part</c> holds its
    /// bytes (valid until the caller advances the pipe) and <c>partOffset</c> is the absolute body
    /// offset of its first byte. On false, <c>buffer</c> starts after whatever was skipped.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, bool isCompleted, out ListFrameKind kind, out ReadOnlySequence<byte> part, out long partOffset)
    {
        kind = default;
        part = default;
        partOffset = 0;
        while (true)
        {
            if (_skipRemaining > 0)
            {
                long n = Math.Min(_skipRemaining, buffer.Length);
                Consume(ref buffer, n);
                _skipRemaining -= n;
                if (_state == State.List)
                    _listRemaining -= n;
                if (_skipRemaining > 0)
                    return NeedMore(isCompleted, "an unknown field");
            }
            switch (_state)
            {
                case State.Magic:
                    if (buffer.Length < 4)
                    {
                        CheckMagicPrefix(buffer);
                        return NeedMore(isCompleted, "the 'k8s\\0' magic");
                    }
                    CheckMagicPrefix(buffer.Slice(0, 4));
                    Consume(ref buffer, 4);
                    _state = State.Envelope;
                    continue;

                case State.Envelope:
                    if (buffer.Length == 0)
                    {
                        if (!isCompleted)
                            return false;
                        // The apiserver always writes raw, contentEncoding and contentType (empty strings
                        // included): a body without them was cut, however well-formed the rest is.
                        if (!_sawRaw)
                            throw Error(WireErrorKind.Truncated, "raw", "body ended before the envelope's raw field");
                        if (!_sawContentEncoding || !_sawContentType)
                            throw Error(WireErrorKind.Truncated, _sawContentEncoding ? "contentType" : "contentEncoding", "body ended before the envelope's trailing fields");
                        _state = State.Done;
                        kind = ListFrameKind.End;
                        return true;
                    }
                    if (!TryReadTag(ref buffer, out uint tag, out long tagLength, out int tagSize))
                        return NeedMore(isCompleted, "an envelope field");
                    switch (tag)
                    {
                        case (1 << 3) | 2:
                            if (!TryTakeWhole(ref buffer, tagSize, tagLength, "typeMeta", out part, out partOffset))
                                return NeedMore(isCompleted, "typeMeta");
                            kind = ListFrameKind.TypeMeta;
                            return true;
                        case (2 << 3) | 2:
                            if (_sawRaw)
                                throw Error(WireErrorKind.InvalidValue, "raw", "the envelope holds raw twice");
                            _sawRaw = true;
                            if (!ExpectList)
                            {
                                if (!TryTakeWhole(ref buffer, tagSize, tagLength, "raw", out part, out partOffset))
                                {
                                    _sawRaw = false;
                                    return NeedMore(isCompleted, "raw");
                                }
                                kind = ListFrameKind.WholeMessage;
                                return true;
                            }
                            Consume(ref buffer, tagSize);
                            _listRemaining = tagLength;
                            _state = State.List;
                            continue;
                        default:
                            if (!SkipField(ref buffer, tag, tagSize, tagLength))
                                return NeedMore(isCompleted, "an unknown envelope field");
                            _sawContentEncoding |= tag == ((3 << 3) | 2);
                            _sawContentType |= tag == ((4 << 3) | 2);
                            continue;
                    }

                case State.List:
                    if (_listRemaining == 0)
                    {
                        _state = State.Envelope;
                        continue;
                    }
                    if (buffer.Length == 0)
                        return NeedMore(isCompleted, "the list");
                    if (!TryReadTag(ref buffer, out tag, out tagLength, out tagSize))
                        return NeedMore(isCompleted, "a list field");
                    if (tagSize > _listRemaining || ((tag & 7) == 2 && tagLength > _listRemaining - tagSize))
                        throw Error(WireErrorKind.LengthOutOfRange, "raw", $"a list field runs past the end of raw ({_listRemaining} bytes left)");
                    switch (tag)
                    {
                        case (1 << 3) | 2:
                            if (!TryTakeWhole(ref buffer, tagSize, tagLength, "metadata", out part, out partOffset))
                                return NeedMore(isCompleted, "metadata");
                            _listRemaining -= tagSize + tagLength;
                            kind = ListFrameKind.Metadata;
                            return true;
                        case (2 << 3) | 2:
                            if (!TryTakeWhole(ref buffer, tagSize, tagLength, null, out part, out partOffset))
                                return NeedMore(isCompleted, "an item");
                            _listRemaining -= tagSize + tagLength;
                            _items++;
                            kind = ListFrameKind.Item;
                            return true;
                        default:
                            long before = _offset;
                            if (!SkipField(ref buffer, tag, tagSize, tagLength))
                                return NeedMore(isCompleted, "an unknown list field");
                            _listRemaining -= _offset - before;
                            if (_listRemaining < 0)
                                throw Error(WireErrorKind.LengthOutOfRange, "raw", "a field runs past the end of raw");
                            continue;
                    }

                case State.Done:
                    if (buffer.Length > 0)
                        throw Error(WireErrorKind.InvalidValue, "", "data after the end of the body");
                    return false;
            }
        }
    }

    /// <summary>True when the framer cannot continue: throws Truncated at the end of input.</summary>
    private bool NeedMore(bool isCompleted, string what)
    {
        if (isCompleted)
            throw Error(WireErrorKind.Truncated, _state == State.List ? $"items[{_items}]" : "", $"body ended inside {what}");
        return false;
    }

    /// <summary>Reads a tag and, for length-delimited fields, the length; false if incomplete. Consumes nothing.</summary>
    private bool TryReadTag(ref ReadOnlySequence<byte> buffer, out uint tag, out long length, out int size)
    {
        var reader = new SequenceReader<byte>(buffer);
        tag = 0;
        length = 0;
        size = 0;
        if (!VarintReader.TryRead(ref reader, _offset, out ulong t))
            return false;
        if (t > uint.MaxValue || t >> 3 == 0)
            throw Error(WireErrorKind.InvalidTag, "", $"invalid tag {t}");
        tag = (uint)t;
        if ((tag & 7) == 2)
        {
            if (!VarintReader.TryRead(ref reader, _offset + reader.Consumed, out ulong len))
                return false;
            if (len > long.MaxValue)
                throw Error(WireErrorKind.LengthOutOfRange, "", $"declared length {len} is impossible");
            length = (long)len;
        }
        size = (int)reader.Consumed;
        return true;
    }

    /// <summary>
    /// Takes a whole length-delimited field once all its bytes are present; checks the limit first.
    /// <c>field</c> names it for errors; null means the next item (named only if an error needs it).
    /// </summary>
    private bool TryTakeWhole(ref ReadOnlySequence<byte> buffer, int tagSize, long length, string? field, out ReadOnlySequence<byte> part, out long partOffset)
    {
        if (length > maxMessageBytes)
            throw Error(WireErrorKind.MessageTooLarge, field ?? $"items[{_items}]", $"{length} bytes exceed the {maxMessageBytes}-byte limit");
        part = default;
        partOffset = 0;
        if (buffer.Length < tagSize + length)
        {
            BufferedNeed = tagSize + length;
            return false;
        }
        BufferedNeed = 0;
        Consume(ref buffer, tagSize);
        partOffset = _offset;
        part = buffer.Slice(0, length);
        Consume(ref buffer, length);
        return true;
    }

    /// <summary>Bytes the framer needs buffered to finish the part it is waiting for (0 when none).</summary>
    public long BufferedNeed { get; private set; }

    /// <summary>
    /// Skips an unknown field. Length-delimited fields are skipped as bytes arrive (never buffered);
    /// other wire types are skipped whole. Returns false, consuming nothing, when a non-length field is incomplete.
    /// </summary>
    private bool SkipField(ref ReadOnlySequence<byte> buffer, uint tag, int tagSize, long length)
    {
        switch ((WireType)(tag & 7))
        {
            case WireType.LengthDelimited:
                Consume(ref buffer, tagSize);
                long n = Math.Min(length, buffer.Length);
                Consume(ref buffer, n);
                _skipRemaining = length - n;
                return true;
            case WireType.Varint:
                var reader = new SequenceReader<byte>(buffer);
                reader.Advance(tagSize);
                if (!VarintReader.TryRead(ref reader, _offset + tagSize, out _))
                    return false;
                Consume(ref buffer, reader.Consumed);
                return true;
            case WireType.Fixed64:
            case WireType.Fixed32:
                int size = tagSize + ((WireType)(tag & 7) == WireType.Fixed64 ? 8 : 4);
                if (buffer.Length < size)
                    return false;
                Consume(ref buffer, size);
                return true;
            default:
                throw Error(WireErrorKind.InvalidTag, "", $"wire type {tag & 7} is not valid at list level");
        }
    }

    private void Consume(ref ReadOnlySequence<byte> buffer, long n)
    {
        buffer = buffer.Slice(n);
        _offset += n;
    }

    private void CheckMagicPrefix(ReadOnlySequence<byte> head)
    {
        Span<byte> tmp = stackalloc byte[4];
        head.Slice(0, Math.Min(4, head.Length)).CopyTo(tmp);
        if (!tmp[..(int)Math.Min(4, head.Length)].SequenceEqual(Envelope.Magic[..(int)Math.Min(4, head.Length)]))
            throw Error(WireErrorKind.BadMagic, "", "body does not start with the Kubernetes protobuf magic 'k8s\\0'");
    }

    private KubernetesWireException Error(WireErrorKind kind, string path, string reason) => new(kind, _offset, path, reason);
}
