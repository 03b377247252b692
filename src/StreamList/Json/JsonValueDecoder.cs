using System.Buffers;
using System.Text.Json;
using StreamList.Memory;
using StreamList.Wire;

namespace StreamList.Json;

/// <summary>
/// Turns one complete, already framed JSON value into a KubernetesClient model with
/// KubernetesClient's own serializer options.
///
/// Contract: pure, no I/O. The result owns its data (System.Text.Json copies every string; pooled
/// strings are the pool's own copies), so
/// the buffer may be released as soon as this returns. A value that is well-formed JSON but does
/// not fit the type (a string where a number belongs, a bad timestamp or quantity) throws
/// <see cref="KubernetesWireException"/> of kind <see cref="WireErrorKind.InvalidValue"/> with the
/// absolute offset and the full field path (e.g. <c>items[3].metadata.name</c>); syntax errors
/// were already caught by the framer.
/// </summary>
internal static class JsonValueDecoder
{
    /// <summary>
    /// Decodes <paramref name="json"/>, which starts at absolute <paramref name="offset"/>. Errors name it
    /// <paramref name="field"/>, or <c>field[index]</c> when <paramref name="index"/> is not negative
    /// (the path is only built for an error). Strings go through <paramref name="strings"/> when it is set.
    /// </summary>
    public static T Decode<T>(in ReadOnlySequence<byte> json, long offset, string field, long index, int maxDepth, Utf8StringPool? strings = null)
        where T : class
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(ref reader, KubernetesJsonOptions.TypeInfo<T>(strings));
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            var jsonError = e as JsonException;
            long at = jsonError is null ? 0 : Locate(json, jsonError.LineNumber, jsonError.BytePositionInLine);
            throw new KubernetesWireException(WireErrorKind.InvalidValue, offset + at, Join(Name(field, index), jsonError?.Path),
                $"not a valid {typeof(T).Name}: {e.Message}", e);
        }
        return value ?? throw new KubernetesWireException(WireErrorKind.InvalidValue, offset, Name(field, index), $"null where a {typeof(T).Name} was expected");
    }

    /// <summary>What a converter may throw for input it cannot take (KubernetesClient's throw FormatException, for one).</summary>
    private static bool IsDecodeFailure(Exception e) =>
        e is JsonException or FormatException or InvalidOperationException or NotSupportedException
            or ArgumentException or OverflowException or InvalidCastException or IndexOutOfRangeException;

    /// <summary>Byte offset within <paramref name="json"/> of a (line, byte-in-line) position, or 0 when unknown.</summary>
    private static long Locate(in ReadOnlySequence<byte> json, long? line, long? column)
    {
        if (line is not long lines || column is not long col)
            return 0;
        long lineStart = 0, position = 0;
        foreach (var memory in json)
        {
            if (lines == 0)
                break;
            var span = memory.Span;
            int from = 0;
            while (lines > 0)
            {
                int nl = span[from..].IndexOf((byte)'\n');
                if (nl < 0)
                    break;
                from += nl + 1;
                lineStart = position + from;
                lines--;
            }
            position += span.Length;
        }
        return Math.Min(lineStart + col, json.Length);
    }

    private static string Name(string field, long index) => index < 0 ? field : JsonErrors.Indexed(field, index);

    private static string Join(string path, string? jsonPath)
    {
        // System.Text.Json paths look like "$.metadata.name" or "$['odd key']".
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
            return path;
        string rest = jsonPath[0] == '$' ? jsonPath[1..] : jsonPath;
        if (path.Length == 0)
            return rest.StartsWith('.') ? rest[1..] : rest;
        return path + rest;
    }
}
