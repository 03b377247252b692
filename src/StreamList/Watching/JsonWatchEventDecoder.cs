using System.Buffers;
using System.Text.Json;
using k8s.Models;
using StreamList.Http;
using StreamList.Watching;
using StreamList.Json;

namespace StreamList.Watching;

/// <summary>
/// Decodes one framed JSON watch event <c>{"type":..,"object":{..}}</c> (properties in any order,
/// unknown ones skipped) into a <see cref="WatchEvent{T}"/>.
///
/// Contract: pure, no I/O; the frame was already checked to be one well-formed JSON object.
/// ADDED, MODIFIED, DELETED and BOOKMARK become events; ERROR carries a <see cref="V1Status"/> and
/// is thrown as <see cref="KubernetesStatusException.From"/> (a 410 becomes
/// <see cref="ResourceExpiredException"/>). A missing or unknown <c>type</c>, or a missing or null
/// <c>object</c>, is InvalidJson; an object that does not fit its type is InvalidValue (path
/// <c>object.…</c>).
/// </summary>
internal static class JsonWatchEventDecoder
{
    public static WatchEvent<T> Decode<T>(in ReadOnlySequence<byte> frame, long offset, int maxDepth, Memory.Utf8StringPool? strings = null)
        where T : class
    {
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = maxDepth + 2 });
        WatchEventKind? type = null;
        bool error = false;
        long objectStart = -1, objectEnd = -1;
        try
        {
            reader.Read(); // the event's '{'
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                        throw JsonErrors.Invalid(offset + reader.TokenStartIndex, "type", $"the event type must be a string, not {reader.TokenType}");
                    type = ParseType(ref reader, offset, out error);
                }
                else if (reader.ValueTextEquals("object"u8))
                {
                    reader.Read();
                    objectStart = reader.TokenStartIndex;
                    bool isNull = reader.TokenType == JsonTokenType.Null;
                    reader.Skip();
                    objectEnd = isNull ? -1 : reader.BytesConsumed;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw JsonErrors.Invalid(offset + reader.BytesConsumed, "", e.Message, e);
        }

        if (type is null && !error)
            throw JsonErrors.Invalid(offset, "type", "the watch event has no type");
        if (objectEnd < 0)
            throw JsonErrors.Invalid(offset + Math.Max(0, objectStart), "object", "the watch event has no object");
        var json = frame.Slice(objectStart, objectEnd - objectStart);
        if (error)
            throw KubernetesStatusException.From(JsonValueDecoder.Decode<V1Status>(json, offset + objectStart, "object", -1, maxDepth));
        return new WatchEvent<T>(type!.Value, JsonValueDecoder.Decode<T>(json, offset + objectStart, "object", -1, maxDepth, strings));
    }

    private static WatchEventKind? ParseType(ref Utf8JsonReader reader, long offset, out bool error)
    {
        error = false;
        if (reader.ValueTextEquals("ADDED"u8))
            return WatchEventKind.Added;
        if (reader.ValueTextEquals("MODIFIED"u8))
            return WatchEventKind.Modified;
        if (reader.ValueTextEquals("DELETED"u8))
            return WatchEventKind.Deleted;
        if (reader.ValueTextEquals("BOOKMARK"u8))
            return WatchEventKind.Bookmark;
        if (reader.ValueTextEquals("ERROR"u8))
        {
            error = true;
            return null;
        }
        string name;
        try
        {
            name = reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            name = "(not UTF-8)";
        }
        if (name.Length > 64)
            name = name[..64] + "…";
        throw JsonErrors.Invalid(offset + reader.TokenStartIndex, "type", $"unknown watch event type '{name}'");
    }
}
