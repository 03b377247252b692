using StreamList.Codec;

namespace StreamList.Testing.Server;

/// <summary>The two body encodings the fake server speaks.</summary>
internal enum BodyEncoding
{
    Json,
    Protobuf,
}

/// <summary>
/// Picks the response encoding from the Accept header as the apiserver does: the first listed
/// media range it can produce wins (<c>q=0</c> ranges excluded); protobuf only when listed and
/// allowed; no Accept header means JSON; nothing acceptable means 406. Pure: no I/O.
/// </summary>
internal static class ContentNegotiation
{
    public const string JsonMediaType = "application/json";

    public static BodyEncoding? Choose(string? accept, bool allowProtobuf)
    {
        if (string.IsNullOrWhiteSpace(accept))
            return BodyEncoding.Json;
        foreach (var range in accept.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = range.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000"))
                continue;
            switch (parts[0].ToLowerInvariant())
            {
                case KubernetesProtobuf.MediaType when allowProtobuf:
                    return BodyEncoding.Protobuf;
                case JsonMediaType or "application/*" or "*/*":
                    return BodyEncoding.Json;
            }
        }
        return null;
    }

    public static string MediaType(BodyEncoding encoding) =>
        encoding == BodyEncoding.Protobuf ? KubernetesProtobuf.MediaType : JsonMediaType;

    /// <summary>True when Accept-Encoding lists gzip (not with q=0).</summary>
    public static bool AcceptsGzip(string? acceptEncoding) =>
        !string.IsNullOrEmpty(acceptEncoding)
        && acceptEncoding.Split(',', StringSplitOptions.TrimEntries).Any(e =>
        {
            var parts = e.Split(';', StringSplitOptions.TrimEntries);
            return parts[0].Equals("gzip", StringComparison.OrdinalIgnoreCase) && !parts.Skip(1).Any(p => p is "q=0" or "q=0.0");
        });
}
