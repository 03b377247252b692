using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using k8s;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Fields KubernetesClient types as <c>object</c>: FieldsV1 and RawExtension (JSON held as bytes
/// on the wire) become a self-contained <see cref="JsonElement"/>, exactly what KubernetesClient's
/// JSON decode gives; a RawExtension holding an enveloped protobuf object becomes that object.
/// Empty marker messages become an empty JSON object. Nothing returned refers to the input.
/// </summary>
internal static class RawCodec
{
    private static readonly object s_emptyObject = JsonElement.Parse("{}");

    public static object? ReadFieldsV1(ref ProtoReader r) => ReadRaw(ref r, allowProtobuf: false);

    public static object? ReadRawExtension(ref ProtoReader r) => ReadRaw(ref r, allowProtobuf: true);

    public static object ReadEmptyObject(ref ProtoReader r)
    {
        int saved = r.EnterMessage();
        while (r.TryReadTag(out uint tag))
            r.SkipField(tag);
        r.ExitMessage(saved);
        return s_emptyObject;
    }

    private static object? ReadRaw(ref ProtoReader r, bool allowProtobuf)
    {
        int saved = r.EnterMessage();
        object? value = null;
        while (r.TryReadTag(out uint tag))
        {
            if (tag >> 3 != 1)
            {
                r.SkipField(tag);
                continue;
            }
            r.Expect(tag, WireType.LengthDelimited, "raw");
            var raw = r.ReadLengthDelimited();
            value = raw.Length == 0 ? null
                : allowProtobuf && raw.StartsWith(Envelope.Magic) ? DecodeEmbedded(ref r, raw)
                : ParseJson(ref r, raw);
        }
        r.ExitMessage(saved);
        return value;
    }

    /// <summary>
    /// Decodes an enveloped object held in <c>raw</c> (a watch event's object, a ControllerRevision's
    /// data). It nests inside the current message, so it gets only the depth left: RawExtensions
    /// holding RawExtensions cannot recurse past the limit (and overflow the stack). Errors inside
    /// it report offsets from the start of the outer body and the path through the outer message.
    /// </summary>
    private static object DecodeEmbedded(ref ProtoReader r, ReadOnlySpan<byte> raw)
    {
        long rawStart = r.AbsolutePosition - raw.Length;
        var options = new DecodeOptions { Strings = r.Strings, MaxDepth = r.MaxDepth - r.Depth };
        try
        {
            return KubernetesProtobuf.DecodeEnveloped(raw, options, baseOffset: rawStart);
        }
        catch (KubernetesWireException e)
        {
            throw e.Within(r.CurrentPath(), $"messages nested deeper than {r.MaxDepth}, counting objects embedded in RawExtensions");
        }
    }

    /// <summary>The JSON as a boxed JsonElement, shared with earlier objects holding the same bytes (<see cref="JsonValueCache"/>).</summary>
    private static object ParseJson(ref ProtoReader r, ReadOnlySpan<byte> raw)
    {
        if (raw.Length > JsonValueCache.MaxBytes)
            return Parse(ref r, raw);
        if (JsonValueCache.TryGet(raw, out var cached, out var miss))
            return cached!;
        object element = Parse(ref r, raw);
        JsonValueCache.Add(miss, element);
        return element;
    }

    /// <summary>
    /// <see cref="JsonElement.Parse(ReadOnlySpan{byte}, JsonDocumentOptions)"/> copies the bytes and
    /// parses once into unpooled storage; <c>ParseValue</c> over a reader scans the value, then parses
    /// it again (1.5× slower on fixture FieldsV1 values: docs/benchmarks.md, <c>ratios</c>).
    /// </summary>
    private static JsonElement Parse(ref ProtoReader r, ReadOnlySpan<byte> raw)
    {
        try
        {
            return JsonElement.Parse(raw);
        }
        catch (JsonException e)
        {
            throw r.Error(WireErrorKind.InvalidValue, $"embedded JSON is not valid: {e.Message}");
        }
    }

    public static void WriteFieldsV1(ProtoWriter w, int field, object? value) => WriteRaw(w, field, value);

    public static void WriteRawExtension(ProtoWriter w, int field, object? value) => WriteRaw(w, field, value);

    private static void WriteRaw(ProtoWriter w, int field, object? value)
    {
        int mark = w.BeginMessage();
        switch (value)
        {
            case null:
                break;
            case JsonElement e:
                w.WriteBytes(1, JsonMarshal.GetRawUtf8Value(e));
                break;
            case IKubernetesObject o when ProtobufRegistry.ForType(o.GetType()) is not null:
                w.WriteBytes(1, KubernetesProtobuf.Encode(o));
                break;
            default:
                w.WriteBytes(1, Encoding.UTF8.GetBytes(KubernetesJson.Serialize(value)));
                break;
        }
        w.EndMessage(field, mark);
    }
}
