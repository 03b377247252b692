namespace StreamList.Wire;

/// <summary>
/// The protobuf envelope of every Kubernetes object and list: the magic <c>k8s\0</c>, then one
/// <c>runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}</c>.
/// Reading it gives the type and the position of <c>raw</c>; writing it produces exactly what the
/// apiserver writes (empty strings included).
///
/// A complete envelope holds <c>raw</c>, <c>contentEncoding</c> and <c>contentType</c>: the apiserver
/// (runtime.Unknown.NestedMarshalTo) always writes all three, the last two even when empty. So an
/// envelope missing any of them was cut short, and reading it throws <see cref="WireErrorKind.Truncated"/>
/// rather than returning an empty or silently shortened object.
/// </summary>
internal static class Envelope
{
    /// <summary>The four bytes every protobuf body starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>The envelope fields that come before and after <c>raw</c>.</summary>
    public readonly record struct Header(string ApiVersion, string Kind, int RawOffset, int RawLength, string ContentEncoding, string ContentType);

    /// <summary>Reads a whole envelope held in <paramref name="data"/>.</summary>
    public static Header Read(ReadOnlySpan<byte> data, long baseOffset = 0)
    {
        CheckMagic(data, baseOffset);
        return ReadUnknown(data, baseOffset);
    }

    /// <summary>Throws <see cref="WireErrorKind.BadMagic"/> or <see cref="WireErrorKind.Truncated"/> unless data starts with the magic.</summary>
    public static void CheckMagic(ReadOnlySpan<byte> data, long baseOffset)
    {
        int n = Math.Min(data.Length, Magic.Length);
        if (!data[..n].SequenceEqual(Magic[..n]))
            throw new KubernetesWireException(WireErrorKind.BadMagic, baseOffset, "", "body does not start with the Kubernetes protobuf magic 'k8s\\0'");
        if (n < Magic.Length)
            throw new KubernetesWireException(WireErrorKind.Truncated, baseOffset + n, "", "input ends inside the 'k8s\\0' magic");
    }

    private static Header ReadUnknown(ReadOnlySpan<byte> data, long baseOffset)
    {
        var body = data[Magic.Length..];
        var r = new ProtoReader(body, baseOffset + Magic.Length);
        string apiVersion = "", kind = "", contentEncoding = "", contentType = "";
        int rawOffset = -1, rawLength = 0;
        bool sawContentEncoding = false, sawContentType = false;
        while (r.TryReadTag(out uint tag))
        {
            switch (tag >> 3)
            {
                case 1:
                    r.Expect(tag, WireType.LengthDelimited, "typeMeta");
                    int saved = r.EnterMessage();
                    while (r.TryReadTag(out uint t))
                    {
                        switch (t >> 3)
                        {
                            case 1:
                                r.Expect(t, WireType.LengthDelimited, "apiVersion");
                                apiVersion = r.ReadString();
                                break;
                            case 2:
                                r.Expect(t, WireType.LengthDelimited, "kind");
                                kind = r.ReadString();
                                break;
                            default:
                                r.SkipField(t);
                                break;
                        }
                    }
                    r.ExitMessage(saved);
                    break;
                case 2:
                    r.Expect(tag, WireType.LengthDelimited, "raw");
                    rawLength = r.ReadLength();
                    rawOffset = Magic.Length + r.Position;
                    r.SkipBytes(rawLength);
                    break;
                case 3:
                    r.Expect(tag, WireType.LengthDelimited, "contentEncoding");
                    contentEncoding = r.ReadString();
                    sawContentEncoding = true;
                    break;
                case 4:
                    r.Expect(tag, WireType.LengthDelimited, "contentType");
                    contentType = r.ReadString();
                    sawContentType = true;
                    break;
                default:
                    r.SkipField(tag);
                    break;
            }
        }
        long end = baseOffset + data.Length;
        if (rawOffset < 0)
            throw new KubernetesWireException(WireErrorKind.Truncated, end, "raw", "the envelope ends without its raw field");
        if (!sawContentEncoding)
            throw new KubernetesWireException(WireErrorKind.Truncated, end, "contentEncoding",
                "the envelope ends without contentEncoding, which the apiserver always writes after raw");
        if (!sawContentType)
            throw new KubernetesWireException(WireErrorKind.Truncated, end, "contentType",
                "the envelope ends without contentType, which the apiserver always writes last");
        return new Header(apiVersion, kind, rawOffset, rawLength, contentEncoding, contentType);
    }

    /// <summary>Writes the envelope around a body already written (backwards) since <paramref name="bodyMark"/>.</summary>
    public static void WriteAround(ProtoWriter w, int bodyMark, string apiVersion, string kind)
    {
        int rawLength = w.Length - bodyMark;
        w.WriteVarint((uint)rawLength);
        w.WriteTag(2, WireType.LengthDelimited);
        int meta = w.BeginMessage();
        w.WriteString(2, kind);
        w.WriteString(1, apiVersion);
        w.EndMessage(1, meta);
        w.WriteRaw(Magic);
    }

    /// <summary>Writes the envelope fields that follow <c>raw</c>; call before writing the body.</summary>
    public static int BeginBody(ProtoWriter w)
    {
        w.WriteString(4, "");
        w.WriteString(3, "");
        return w.Length;
    }
}
