using System.Buffers;
using System.Text.Json;
using k8s.Models;
using StreamList.Http;
using StreamList.Codec;

namespace StreamList.Json;

/// <summary>
/// Finds the items of a Kubernetes JSON list body
/// (<c>{"kind":..,"apiVersion":..,"metadata":{..},"items":[{..},{..}]}</c>) one at a time as its
/// bytes arrive, without I/O: the read loop hands it each buffer and advances the pipe by what it
/// returns.
///
/// Contract:
/// <list type="bullet">
/// <item>Each <see cref="Read"/> is given the pipe's buffer, which starts where the previous step
/// said it consumed. It returns at most one item (the exact bytes of its JSON value), or asks for
/// more data having examined the whole buffer, or reports the end of a well-formed body.</item>
/// <item>It never holds more than the current item (or metadata, or Status field) plus the
/// unread tail of the last read: bytes before an item, unknown properties (skipped token by token,
/// however large) and whitespace are released as they are passed. When a value is incomplete and
/// already larger than <see cref="DecodeOptions.MaxMessageBytes"/>, it throws before more is
/// read; a partial token larger than the limit throws the same way.</item>
/// <item>Scanning is incremental: a <see cref="JsonReaderState"/> is kept between reads, and a
/// growing item is never rescanned from its start.</item>
/// <item><c>metadata</c> may come before or after <c>items</c>; unknown top-level properties are
/// skipped; a body whose <c>kind</c> is <c>Status</c> throws <see cref="KubernetesStatusException.From"/>.</item>
/// <item>Errors are <see cref="Wire.KubernetesWireException"/>: InvalidJson (syntax, wrong shape,
/// data after the list), Truncated (the body ended first), MessageTooLarge, TooDeep; each with the
/// absolute byte offset and a path such as <c>items[3]</c> or <c>metadata</c>.</item>
/// </list>
/// </summary>
internal sealed class JsonListFramer
{
    private enum Phase { BeforeRoot, InRoot, PropertyValue, InItems, Skipping, Capturing, AfterRoot, Done }

    private enum Property { Unknown, Items, Metadata, Kind, ApiVersion, StatusField }

    private enum Target { Item, Metadata, StatusField }

    private enum Next { Release, Hold, Item, RootEnd }

    /// <summary>Caps <see cref="DecodeOptions.MaxDepth"/> so the reader's own limit (a few levels above) cannot overflow.</summary>
    private const int MaxSupportedDepth = 1000;

    private readonly int _maxBytes;
    private readonly int _maxDepth;
    private JsonReaderState _state;
    private Phase _phase = Phase.BeforeRoot;
    private Phase _afterCapture;
    private Property _property;
    private string _propertyName = "";
    private Target _target;
    private long _scanned;      // bytes past the buffer start already scanned (only while capturing)
    private long _captureStart; // start of the value being captured, relative to the buffer start
    private int _captureDepth;  // reader depth of its first token
    private int _skipDepth;
    private string? _kind;
    private string? _apiVersion;
    private JsonStatusBody? _status;

    public JsonListFramer(DecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxMessageBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxDepth);
        _maxBytes = options.MaxMessageBytes;
        _maxDepth = Math.Min(options.MaxDepth, MaxSupportedDepth);
        // An item's own nesting is checked in OnToken (its root is at depth 2); the reader's
        // limit sits above that, so TooDeep is ours rather than a JsonException.
        _state = new JsonReaderState(new JsonReaderOptions { MaxDepth = _maxDepth + 3 });
    }

    /// <summary>Body bytes consumed so far: the absolute offset of the next buffer's start.</summary>
    public long BytesConsumed { get; private set; }

    /// <summary>Items framed so far.</summary>
    public long Items { get; private set; }

    /// <summary>True once the list object's closing brace has been read.</summary>
    public bool RootClosed => _phase is Phase.AfterRoot or Phase.Done;

    /// <summary>The list's metadata, once read (null when absent).</summary>
    public V1ListMeta? Metadata { get; private set; }

    /// <summary>The deepest nesting an item may have.</summary>
    public int MaxDepth => _maxDepth;

    /// <summary>One step over <paramref name="buffer"/> (which starts at <see cref="BytesConsumed"/>).</summary>
    public JsonFrame Read(in ReadOnlySequence<byte> buffer, bool isCompleted)
    {
        if (_phase == Phase.Done)
            return JsonFrame.Ended(buffer.End);
        long consumed = 0;
        if (_phase != Phase.AfterRoot)
        {
            var reader = new Utf8JsonReader(buffer.Slice(_scanned), isFinalBlock: false, _state);
            try
            {
                while (reader.Read())
                {
                    long start = _scanned + reader.TokenStartIndex;
                    long end = _scanned + reader.BytesConsumed;
                    switch (OnToken(ref reader, buffer, start, end))
                    {
                        case Next.Release:
                            consumed = end;
                            break;
                        case Next.Hold:
                            break;
                        case Next.Item:
                            return EmitItem(buffer, end, reader.CurrentState);
                        case Next.RootEnd:
                            consumed = end;
                            OnRootEnd();
                            goto Trailing;
                    }
                }
            }
            catch (JsonException e)
            {
                throw JsonErrors.Invalid(BytesConsumed + _scanned + reader.BytesConsumed, Path(), e.Message, e);
            }
            catch (InvalidOperationException e)
            {
                // GetString on malformed UTF-8.
                throw JsonErrors.Invalid(BytesConsumed + _scanned + reader.BytesConsumed, Path(), e.Message, e);
            }
            return NeedMore(buffer, isCompleted, consumed, _scanned + reader.BytesConsumed, reader.CurrentState);
        }

    Trailing:
        // After the list: only whitespace may follow, up to the end of the body.
        var rest = buffer.Slice(consumed);
        long blank = JsonWhitespace.CountLeading(rest);
        if (blank < rest.Length)
            throw JsonErrors.Invalid(BytesConsumed + consumed + blank, "", "data after the end of the list");
        BytesConsumed += buffer.Length;
        if (!isCompleted)
            return JsonFrame.NeedMore(buffer.End, buffer.End);
        _phase = Phase.Done;
        return JsonFrame.Ended(buffer.End);
    }

    private Next OnToken(ref Utf8JsonReader reader, in ReadOnlySequence<byte> buffer, long start, long end)
    {
        var type = reader.TokenType;
        if (type is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth > _maxDepth + 1)
            throw JsonErrors.TooDeep(BytesConsumed + start, Path(), _maxDepth);
        switch (_phase)
        {
            case Phase.Capturing:
                if (type is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == _captureDepth)
                    return EndCapture(buffer, end);
                if (end - _captureStart > _maxBytes) // stop scanning a value that is already too large
                    throw JsonErrors.TooLarge(BytesConsumed + _captureStart, Path(), end - _captureStart, _maxBytes);
                return Next.Hold;

            case Phase.Skipping:
                if (type is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == _skipDepth)
                    _phase = Phase.InRoot;
                return Next.Release;

            case Phase.BeforeRoot:
                if (type != JsonTokenType.StartObject)
                    throw JsonErrors.Invalid(BytesConsumed + start, "", $"a list body must be a JSON object, not {type}");
                _phase = Phase.InRoot;
                return Next.Release;

            case Phase.InRoot:
                if (type == JsonTokenType.EndObject)
                    return Next.RootEnd;
                (_property, _propertyName) = Classify(ref reader);
                _phase = Phase.PropertyValue;
                return Next.Release;

            case Phase.PropertyValue:
                return OnPropertyValue(ref reader, buffer, start, end);

            case Phase.InItems:
                if (type == JsonTokenType.EndArray)
                {
                    _phase = Phase.InRoot;
                    return Next.Release;
                }
                if (type == JsonTokenType.Null)
                    throw JsonErrors.Invalid(BytesConsumed + start, Path(), "a list item is null");
                return BeginCapture(ref reader, buffer, Target.Item, start, end, Phase.InItems);

            default:
                throw new System.Diagnostics.UnreachableException($"framer phase {_phase} reads no tokens");
        }
    }

    private Next OnPropertyValue(ref Utf8JsonReader reader, in ReadOnlySequence<byte> buffer, long start, long end)
    {
        var type = reader.TokenType;
        _phase = Phase.InRoot;
        switch (_property)
        {
            case Property.Items when type == JsonTokenType.StartArray:
                _phase = Phase.InItems;
                return Next.Release;
            case Property.Items when type == JsonTokenType.Null:
                return Next.Release;
            case Property.Items:
                throw JsonErrors.Invalid(BytesConsumed + start, "items", $"items must be an array, not {type}");

            case Property.Metadata when type == JsonTokenType.StartObject:
                return BeginCapture(ref reader, buffer, Target.Metadata, start, end, Phase.InRoot);
            case Property.Metadata when type == JsonTokenType.Null:
                Metadata = null;
                return Next.Release;
            case Property.Metadata:
                throw JsonErrors.Invalid(BytesConsumed + start, "metadata", $"metadata must be an object, not {type}");

            case Property.Kind when type == JsonTokenType.String:
                _kind = reader.GetString();
                return Next.Release;
            case Property.ApiVersion when type == JsonTokenType.String:
                _apiVersion = reader.GetString();
                return Next.Release;

            case Property.StatusField:
                return BeginCapture(ref reader, buffer, Target.StatusField, start, end, Phase.InRoot);

            default:
                if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    _skipDepth = reader.CurrentDepth;
                    _phase = Phase.Skipping;
                }
                return Next.Release;
        }
    }

    private Next BeginCapture(ref Utf8JsonReader reader, in ReadOnlySequence<byte> buffer, Target target, long start, long end, Phase after)
    {
        _target = target;
        _captureStart = start;
        _afterCapture = after;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            _captureDepth = reader.CurrentDepth;
            _phase = Phase.Capturing;
            return Next.Hold;
        }
        return EndCapture(buffer, end); // a scalar is complete in one token
    }

    private Next EndCapture(in ReadOnlySequence<byte> buffer, long end)
    {
        long length = end - _captureStart;
        if (length > _maxBytes)
            throw JsonErrors.TooLarge(BytesConsumed + _captureStart, Path(), length, _maxBytes);
        _phase = _afterCapture;
        var value = buffer.Slice(_captureStart, length);
        switch (_target)
        {
            case Target.Item:
                return Next.Item;
            case Target.Metadata:
                Metadata = JsonValueDecoder.Decode<V1ListMeta>(value, BytesConsumed + _captureStart, "metadata", -1, _maxDepth);
                return Next.Release;
            default:
                (_status ??= new JsonStatusBody()).Add(_propertyName, value);
                return Next.Release;
        }
    }

    private JsonFrame EmitItem(in ReadOnlySequence<byte> buffer, long end, JsonReaderState state)
    {
        var item = buffer.Slice(_captureStart, end - _captureStart);
        long offset = BytesConsumed + _captureStart;
        var position = buffer.GetPosition(end);
        BytesConsumed += end;
        _scanned = 0;
        _state = state;
        return JsonFrame.ForValue(item, position, offset, Items++);
    }

    private JsonFrame NeedMore(in ReadOnlySequence<byte> buffer, bool isCompleted, long consumed, long scannedTo, JsonReaderState state)
    {
        if (_phase == Phase.Capturing)
        {
            // Keep the value from its start; remember how far it has been scanned.
            long held = buffer.Length - _captureStart;
            if (held > _maxBytes)
                throw JsonErrors.TooLarge(BytesConsumed + _captureStart, Path(), held, _maxBytes);
            _captureStart -= consumed;
            _scanned = scannedTo - consumed;
        }
        else
        {
            // Nothing is held but a partial token (or whitespace after a comma).
            consumed = scannedTo;
            _scanned = 0;
            if (buffer.Length - consumed > _maxBytes)
                throw JsonErrors.TooLarge(BytesConsumed + consumed, Path(), buffer.Length - consumed, _maxBytes);
        }
        if (isCompleted)
            throw JsonErrors.Truncated(BytesConsumed + buffer.Length, Path(), _phase == Phase.BeforeRoot ? "the start of the list" : "the list");
        _state = state;
        BytesConsumed += consumed;
        return JsonFrame.NeedMore(buffer.GetPosition(consumed), buffer.End);
    }

    private void OnRootEnd()
    {
        _phase = Phase.AfterRoot;
        if (_kind == "Status")
        {
            var status = (_status ?? new JsonStatusBody()).Build(_apiVersion, Metadata, 0, _maxDepth);
            throw KubernetesStatusException.From(status);
        }
    }

    private static (Property, string) Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("items"u8))
            return (Property.Items, "items");
        if (reader.ValueTextEquals("metadata"u8))
            return (Property.Metadata, "metadata");
        if (reader.ValueTextEquals("kind"u8))
            return (Property.Kind, "kind");
        if (reader.ValueTextEquals("apiVersion"u8))
            return (Property.ApiVersion, "apiVersion");
        if (JsonStatusBody.IsStatusField(ref reader, out string name))
            return (Property.StatusField, name);
        return (Property.Unknown, reader.GetString() ?? "");
    }

    /// <summary>Where the framer is, for error messages: <c>items[3]</c>, <c>metadata</c>, a property name, or empty.</summary>
    private string Path() => _phase switch
    {
        Phase.InItems => JsonErrors.Indexed("items", Items),
        Phase.Capturing when _target == Target.Item => JsonErrors.Indexed("items", Items),
        Phase.Capturing or Phase.PropertyValue or Phase.Skipping => _propertyName,
        _ => "",
    };
}
