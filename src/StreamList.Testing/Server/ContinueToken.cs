using System.Buffers.Text;
using System.Text.Json;

namespace StreamList.Testing.Server;

/// <summary>
/// The opaque <c>continue</c> value of a paged list: base64url of
/// <c>{"v":"streamlist.dev/v1","rv":N,"start":I}</c> (the snapshot's resourceVersion and the first
/// slot index of the next page), shaped like the apiserver's own tokens. Parsing never throws.
/// </summary>
internal readonly record struct ContinueToken(long ResourceVersion, int Start)
{
    private const string Version = "streamlist.dev/v1";

    public string Encode()
    {
        using var buffer = new MemoryStream(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("v", Version);
            w.WriteNumber("rv", ResourceVersion);
            w.WriteNumber("start", Start);
            w.WriteEndObject();
        }
        return Base64Url.EncodeToString(buffer.ToArray());
    }

    public static bool TryParse(string? text, out ContinueToken token)
    {
        token = default;
        if (string.IsNullOrEmpty(text) || text.Length > 1024)
            return false;
        try
        {
            var bytes = Base64Url.DecodeFromChars(text);
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.String || v.GetString() != Version
                || !root.TryGetProperty("rv", out var rv) || !rv.TryGetInt64(out long resourceVersion)
                || !root.TryGetProperty("start", out var start) || !start.TryGetInt32(out int index) || index < 0)
                return false;
            token = new ContinueToken(resourceVersion, index);
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }
}
