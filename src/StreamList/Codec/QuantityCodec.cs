using System.Text;
using k8s.Models;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// resource.Quantity ↔ <see cref="ResourceQuantity"/>: one string field. Decoding parses the
/// string as KubernetesClient does; an empty message is Go's zero quantity, "0".
/// </summary>
internal static class QuantityCodec
{
    public static ResourceQuantity Read(ref ProtoReader r)
    {
        int saved = r.EnterMessage();
        ReadOnlySpan<byte> text = "0"u8;
        while (r.TryReadTag(out uint tag))
        {
            if (tag >> 3 == 1)
            {
                r.Expect(tag, WireType.LengthDelimited, "string");
                text = r.ReadLengthDelimited();
            }
            else
            {
                r.SkipField(tag);
            }
        }
        var q = Parse(ref r, text);
        r.ExitMessage(saved);
        return q;
    }

    /// <summary>Parses a quantity's text, through the cache when the reader has one.</summary>
    public static ResourceQuantity Parse(ref ProtoReader r, ReadOnlySpan<byte> text)
    {
        if (text.Length == 0)
            text = "0"u8;
        try
        {
            return r.Strings is { } pool ? QuantityCache.Get(pool, text) : new ResourceQuantity(Encoding.UTF8.GetString(text));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw r.Error(WireErrorKind.InvalidValue, $"'{Encoding.UTF8.GetString(text)}' is not a quantity: {e.Message}");
        }
    }

    public static void Write(ProtoWriter w, int field, ResourceQuantity? value)
    {
        int mark = w.BeginMessage();
        w.WriteString(1, value?.ToString() ?? "0");
        w.EndMessage(field, mark);
    }
}
