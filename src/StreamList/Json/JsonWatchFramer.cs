using System.Buffers;
using System.Text.Json;
using StreamList.Codec;

namespace StreamList.Json;

/// <summary>
/// Cuts a JSON watch stream into events without I/O. The apiserver writes one JSON object
/// (<c>{"type":..,"object":{..}}</c>) per line; this accepts any whitespace between objects
/// (<c>\n</c>, <c>\r\n</c>, blank lines) and none at all (<c>}{</c>).
///
/// Contract: each <see cref="Read"/> gets the pipe's buffer starting where the previous step
/// consumed, and returns at most one event's exact bytes, or asks for more having examined the
/// whole buffer. Whitespace between events is released as it is passed; an incomplete event is
/// held from its first byte and scanned incrementally (a <see cref="JsonReaderState"/> is kept,
/// nothing is rescanned). An incomplete event already larger than
/// <see cref="DecodeOptions.MaxMessageBytes"/> throws MessageTooLarge before more is read.
/// Ending between events is a clean end; ending inside one is Truncated; anything that is not a
/// JSON object where an event should start, or bad JSON inside one, is InvalidJson; nesting past
/// <see cref="DecodeOptions.MaxDepth"/> inside the event's object is TooDeep. Offsets count from
/// the start of the stream.
/// </summary>
internal sealed class JsonWatchFramer
{
    /// <summary>Caps <see cref="DecodeOptions.MaxDepth"/> so the reader's own limit (a few levels above) cannot overflow.</summary>
    private const int MaxSupportedDepth = 1000;

    private readonly int _maxBytes;
    private readonly int _maxDepth;
    private readonly JsonReaderOptions _readerOptions;
    private JsonReaderState _state;
    private bool _inEvent;
    private long _scanned; // bytes of the current event already scanned (the buffer starts at the event)

    public JsonWatchFramer(DecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxMessageBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxDepth);
        _maxBytes = options.MaxMessageBytes;
        _maxDepth = Math.Min(options.MaxDepth, MaxSupportedDepth);
        // The event's object starts at depth 1: its nesting is checked in Read; the reader's own
        // limit sits above that, so TooDeep is ours rather than a JsonException.
        _readerOptions = new JsonReaderOptions { MaxDepth = _maxDepth + 2 };
    }

    /// <summary>Stream bytes consumed so far: the absolute offset of the next buffer's start.</summary>
    public long BytesConsumed { get; private set; }

    /// <summary>Events framed so far.</summary>
    public long Events { get; private set; }

    /// <summary>The deepest nesting an event's object may have.</summary>
    public int MaxDepth => _maxDepth;

    /// <summary>One step over <paramref name="buffer"/> (which starts at <see cref="BytesConsumed"/>).</summary>
    public JsonFrame Read(in ReadOnlySequence<byte> buffer, bool isCompleted)
    {
        long consumed = 0;
        if (!_inEvent)
        {
            consumed = JsonWhitespace.CountLeading(buffer);
            if (consumed == buffer.Length)
            {
                BytesConsumed += consumed;
                return isCompleted ? JsonFrame.Ended(buffer.End) : JsonFrame.NeedMore(buffer.End, buffer.End);
            }
            byte first = buffer.Slice(consumed).FirstSpan[0];
            if (first != (byte)'{')
                throw JsonErrors.Invalid(BytesConsumed + consumed, "", $"a watch event must be a JSON object, not one starting with '{(char)first}'");
            _inEvent = true;
            _state = new JsonReaderState(_readerOptions);
            _scanned = 0;
        }

        var data = buffer.Slice(consumed); // starts at the event's '{'
        var reader = new Utf8JsonReader(data.Slice(_scanned), isFinalBlock: false, _state);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth > _maxDepth)
                    throw JsonErrors.TooDeep(BytesConsumed + consumed + _scanned + reader.TokenStartIndex, "object", _maxDepth);
                long length = _scanned + reader.BytesConsumed;
                if (length > _maxBytes) // stop scanning an event that is already too large
                    throw JsonErrors.TooLarge(BytesConsumed + consumed, "", length, _maxBytes);
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    long offset = BytesConsumed + consumed;
                    var end = data.GetPosition(length);
                    BytesConsumed = offset + length;
                    _inEvent = false;
                    return JsonFrame.ForValue(data.Slice(0, length), end, offset, Events++);
                }
            }
        }
        catch (JsonException e)
        {
            throw JsonErrors.Invalid(BytesConsumed + consumed + _scanned + reader.BytesConsumed, "", e.Message, e);
        }

        // The event is incomplete: hold it from its '{', check the limit before reading more.
        if (data.Length > _maxBytes)
            throw JsonErrors.TooLarge(BytesConsumed + consumed, "", data.Length, _maxBytes);
        if (isCompleted)
            throw JsonErrors.Truncated(BytesConsumed + buffer.Length, "", "a watch event");
        _scanned += reader.BytesConsumed;
        _state = reader.CurrentState;
        BytesConsumed += consumed;
        return JsonFrame.NeedMore(buffer.GetPosition(consumed), buffer.End);
    }
}
