using System.Buffers;
using System.Text.Json;
using k8s.Models;

namespace StreamList.Json;

/// <summary>
/// A list request can be answered with a <c>Status</c> object instead of a list. Its fields may
/// come in any order, and <c>kind</c> may come last, so the list framer keeps the few top-level
/// fields only a Status has (<c>status, message, reason, details, code</c>; each within the size
/// limit) as raw JSON, and builds the <see cref="V1Status"/> from them once <c>kind</c> says Status.
/// A real list has none of these fields, so this costs nothing there.
/// </summary>
internal sealed class JsonStatusBody
{
    private readonly List<(string Name, byte[] Json)> _fields = [];

    /// <summary>True for the top-level property names only a Status has.</summary>
    public static bool IsStatusField(ref Utf8JsonReader reader, out string name)
    {
        name = reader.ValueTextEquals("status"u8) ? "status"
            : reader.ValueTextEquals("message"u8) ? "message"
            : reader.ValueTextEquals("reason"u8) ? "reason"
            : reader.ValueTextEquals("details"u8) ? "details"
            : reader.ValueTextEquals("code"u8) ? "code"
            : "";
        return name.Length != 0;
    }

    /// <summary>Keeps a field's raw JSON (a copy: the read buffer is released afterwards).</summary>
    public void Add(string name, in ReadOnlySequence<byte> json) => _fields.Add((name, json.ToArray()));

    /// <summary>Decodes the kept fields and the list's metadata into a Status.</summary>
    public V1Status Build(string? apiVersion, V1ListMeta? metadata, long offset, int maxDepth)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind"u8, "Status");
            if (apiVersion is not null)
                writer.WriteString("apiVersion"u8, apiVersion);
            foreach (var (name, json) in _fields)
            {
                writer.WritePropertyName(name);
                writer.WriteRawValue(json, skipInputValidation: true);
            }
            writer.WriteEndObject();
        }
        var status = JsonValueDecoder.Decode<V1Status>(new ReadOnlySequence<byte>(buffer.WrittenMemory), offset, "", -1, maxDepth);
        status.Metadata = metadata;
        return status;
    }
}
