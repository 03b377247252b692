using System.Text;
using k8s.Models;
using StreamList.Memory;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// resource.Quantity ↔ <see cref="ResourceQuantity"/>: one string field. Decoding parses the
/// string as KubernetesClient does; an empty message is Go's zero quantity, "0".
///
/// The text is first checked against Kubernetes' quantity grammar (resource.ParseQuantity): KubernetesClient's
/// parser accepts more, computes <c>10^exponent</c> exactly (so <c>"1e99999"</c> takes minutes) and
/// never returns for a negative value in exponent form (<c>"-1e3"</c>). The apiserver writes
/// quantities in canonical form, capped at 2^63-1, so an exponent beyond ±<see cref="MaxExponent"/> or
/// a negative exponent-form value never comes from it; both are rejected as invalid.
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

    /// <summary>Parses a quantity's text, or takes the instance already parsed for the same text (<see cref="QuantityCache"/>).</summary>
    public static ResourceQuantity Parse(ref ProtoReader r, ReadOnlySpan<byte> text)
    {
        if (text.Length == 0)
            text = "0"u8;
        if (QuantityCache.TryGet(text, out var cached, out int slot))
            return cached!;
        if (Problem(text) is { } problem)
            throw r.Error(WireErrorKind.InvalidValue, $"'{Show(text)}' is not a quantity: it {problem}");
        try
        {
            var quantity = new ResourceQuantity(r.Strings is { } pool ? pool.Get(text) : Utf8Text.ToString(text));
            QuantityCache.Add(slot, text, quantity);
            return quantity;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw r.Error(WireErrorKind.InvalidValue, $"'{Show(text)}' is not a quantity: {e.Message}");
        }
    }

    /// <summary>Largest decimal exponent accepted (<c>1e100</c>); the apiserver never writes more than <c>e18</c>.</summary>
    public const int MaxExponent = 100;

    /// <summary>Why <paramref name="s"/> is not <c>[+-](digits[.digits]|.digits)suffix</c> with a known suffix, or null.</summary>
    internal static string? Problem(ReadOnlySpan<byte> s)
    {
        int i = 0;
        bool negative = false;
        if (s.Length > 0 && s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == '-';
            i = 1;
        }
        int start = i;
        while (i < s.Length && char.IsAsciiDigit((char)s[i]))
            i++;
        int digits = i - start;
        bool nonZero = s[start..i].IndexOfAnyExcept((byte)'0') >= 0;
        if (i < s.Length && s[i] == '.')
        {
            start = ++i;
            while (i < s.Length && char.IsAsciiDigit((char)s[i]))
                i++;
            digits += i - start;
            nonZero |= s[start..i].IndexOfAnyExcept((byte)'0') >= 0;
        }
        if (digits == 0)
            return "has no digits";
        var suffix = s[i..];
        if (IsSuffix(suffix))
            return null;
        if (suffix[0] is not ((byte)'e' or (byte)'E'))
            return "has an unknown suffix";
        var exponent = suffix[1..];
        if (exponent.Length > 0 && exponent[0] is (byte)'+' or (byte)'-')
            exponent = exponent[1..];
        if (exponent.Length == 0 || exponent.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            return "has a malformed exponent";
        exponent = exponent.TrimStart((byte)'0');
        int value = 0;
        foreach (byte b in exponent)
        {
            value = value * 10 + (b - '0');
            if (value > MaxExponent)
                return $"has an exponent beyond ±{MaxExponent}";
        }
        if (negative && nonZero)
            return "is a negative value in exponent form, which KubernetesClient's ResourceQuantity cannot parse";
        return null;
    }

    private static bool IsSuffix(ReadOnlySpan<byte> s) => s.Length switch
    {
        0 => true,
        1 => s[0] is (byte)'n' or (byte)'u' or (byte)'m' or (byte)'k' or (byte)'M' or (byte)'G' or (byte)'T' or (byte)'P' or (byte)'E',
        2 => s[1] == 'i' && s[0] is (byte)'K' or (byte)'M' or (byte)'G' or (byte)'T' or (byte)'P' or (byte)'E',
        _ => false,
    };

    private static string Show(ReadOnlySpan<byte> text) =>
        text.Length <= 64 ? Encoding.UTF8.GetString(text) : Encoding.UTF8.GetString(text[..64]) + "…";

    public static void Write(ProtoWriter w, int field, ResourceQuantity? value)
    {
        int mark = w.BeginMessage();
        w.WriteString(1, value?.ToString() ?? "0");
        w.EndMessage(field, mark);
    }
}
