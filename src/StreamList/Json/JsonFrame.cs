using System.Buffers;

namespace StreamList.Json;

/// <summary>What one framer step found.</summary>
internal enum JsonFrameKind
{
    /// <summary>Nothing complete yet: read more (everything up to <see cref="JsonFrame.Examined"/> was looked at).</summary>
    NeedMoreData,
    /// <summary>One complete JSON value (a list item or a watch event) is in <see cref="JsonFrame.Value"/>.</summary>
    Value,
    /// <summary>The body ended well-formed; nothing more will come.</summary>
    End,
}

/// <summary>
/// The result of one step of a JSON framer (<see cref="JsonListFramer"/>, <see cref="JsonWatchFramer"/>):
/// what it found, and the <c>consumed</c>/<c>examined</c> positions to hand to
/// <see cref="System.IO.Pipelines.PipeReader.AdvanceTo(SequencePosition, SequencePosition)"/>.
/// <see cref="Value"/> points into the read buffer: decode it before advancing the reader.
/// </summary>
internal readonly struct JsonFrame
{
    private JsonFrame(JsonFrameKind kind, ReadOnlySequence<byte> value, SequencePosition consumed, SequencePosition examined, long offset, long index)
    {
        Kind = kind;
        Value = value;
        Consumed = consumed;
        Examined = examined;
        Offset = offset;
        Index = index;
    }

    public JsonFrameKind Kind { get; }

    /// <summary>The value's bytes (only for <see cref="JsonFrameKind.Value"/>).</summary>
    public ReadOnlySequence<byte> Value { get; }

    public SequencePosition Consumed { get; }

    public SequencePosition Examined { get; }

    /// <summary>Absolute offset of <see cref="Value"/> from the start of the body or stream.</summary>
    public long Offset { get; }

    /// <summary>Zero-based number of the value (item index or event number).</summary>
    public long Index { get; }

    public static JsonFrame NeedMore(SequencePosition consumed, SequencePosition examined) =>
        new(JsonFrameKind.NeedMoreData, default, consumed, examined, 0, 0);

    public static JsonFrame ForValue(ReadOnlySequence<byte> value, SequencePosition end, long offset, long index) =>
        new(JsonFrameKind.Value, value, end, end, offset, index);

    public static JsonFrame Ended(SequencePosition end) => new(JsonFrameKind.End, default, end, end, 0, 0);
}
