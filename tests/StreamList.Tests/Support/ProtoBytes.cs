using System.Text;

namespace StreamList.Tests.Support;

/// <summary>
/// A test-side protobuf toolkit, independent of the codec under test: builds fields and envelopes
/// forwards, and parses a message into its top-level fields (kept as raw bytes) so tests can insert,
/// drop, reorder or duplicate fields at any depth and re-encode with correct lengths.
/// </summary>
public static class ProtoBytes
{
    public const int Varint = 0, Fixed64 = 1, Len = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5;

    public static byte[] Magic => "k8s\0"u8.ToArray();

    public static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>(10);
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    public static byte[] Tag(int field, int wireType) => VarintBytes(((ulong)(uint)field << 3) | (uint)wireType);

    public static byte[] VarintField(int field, ulong value) => [.. Tag(field, Varint), .. VarintBytes(value)];

    public static byte[] LenField(int field, ReadOnlySpan<byte> value) => [.. Tag(field, Len), .. VarintBytes((ulong)value.Length), .. value];

    public static byte[] StringField(int field, string value) => LenField(field, Encoding.UTF8.GetBytes(value));

    public static byte[] Fixed64Field(int field, ulong value) => [.. Tag(field, Fixed64), .. BitConverter.GetBytes(value)];

    public static byte[] Fixed32Field(int field, uint value) => [.. Tag(field, Fixed32), .. BitConverter.GetBytes(value)];

    public static byte[] Group(int field, params byte[][] body) => [.. Tag(field, StartGroup), .. Concat(body), .. Tag(field, EndGroup)];

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>An enveloped body exactly as the apiserver writes it: magic, typeMeta, raw, empty contentEncoding and contentType.</summary>
    public static byte[] Envelope(string apiVersion, string kind, ReadOnlySpan<byte> raw) =>
        [.. Magic, .. LenField(1, Concat(StringField(1, apiVersion), StringField(2, kind))), .. LenField(2, raw), .. StringField(3, ""), .. StringField(4, "")];

    /// <summary>The envelope's apiVersion, kind and raw bytes, and where raw starts.</summary>
    public static (string ApiVersion, string Kind, byte[] Raw, int RawOffset) Open(byte[] enveloped)
    {
        var header = StreamList.Wire.Envelope.Read(enveloped);
        return (header.ApiVersion, header.Kind, enveloped.AsSpan(header.RawOffset, header.RawLength).ToArray(), header.RawOffset);
    }

    /// <summary>Re-wraps <paramref name="raw"/> in the envelope of <paramref name="enveloped"/>.</summary>
    public static byte[] Rewrap(byte[] enveloped, ReadOnlySpan<byte> raw)
    {
        var (apiVersion, kind, _, _) = Open(enveloped);
        return Envelope(apiVersion, kind, raw);
    }
}

/// <summary>One field of a message as it is on the wire: number, wire type, and the bytes after the tag.</summary>
/// <param name="Start">Offset of the tag in the parsed message.</param>
/// <param name="Payload">For varints and fixed values the value bytes; for LEN the content without its length; for groups the body without the end tag.</param>
public sealed record WireField(int Number, int WireType, byte[] Payload, int Start = 0, int End = 0)
{
    public byte[] Encode() => WireType switch
    {
        ProtoBytes.Len => ProtoBytes.LenField(Number, Payload),
        ProtoBytes.StartGroup => [.. ProtoBytes.Tag(Number, ProtoBytes.StartGroup), .. Payload, .. ProtoBytes.Tag(Number, ProtoBytes.EndGroup)],
        _ => [.. ProtoBytes.Tag(Number, WireType), .. Payload],
    };
}

/// <summary>Parses and rebuilds messages field by field.</summary>
public static class WireMessage
{
    public static List<WireField> Parse(ReadOnlySpan<byte> data)
    {
        var fields = new List<WireField>();
        int pos = 0;
        while (pos < data.Length)
        {
            int start = pos;
            ulong tag = ReadVarint(data, ref pos);
            int number = (int)(tag >> 3), wireType = (int)(tag & 7);
            int payloadStart = pos;
            byte[] payload;
            switch (wireType)
            {
                case ProtoBytes.Varint:
                    ReadVarint(data, ref pos);
                    payload = data[payloadStart..pos].ToArray();
                    break;
                case ProtoBytes.Fixed64:
                    pos += 8;
                    payload = data[payloadStart..pos].ToArray();
                    break;
                case ProtoBytes.Fixed32:
                    pos += 4;
                    payload = data[payloadStart..pos].ToArray();
                    break;
                case ProtoBytes.Len:
                    int len = checked((int)ReadVarint(data, ref pos));
                    payload = data.Slice(pos, len).ToArray();
                    pos += len;
                    break;
                case ProtoBytes.StartGroup:
                    pos = SkipGroup(data, pos, number, out int bodyEnd);
                    payload = data[payloadStart..bodyEnd].ToArray();
                    break;
                default:
                    throw new FormatException($"wire type {wireType} at {start}");
            }
            fields.Add(new WireField(number, wireType, payload, start, pos));
        }
        return fields;
    }

    public static byte[] Encode(IEnumerable<WireField> fields) => [.. fields.SelectMany(f => f.Encode())];

    /// <summary>
    /// Applies <paramref name="edit"/> to the fields of the message reached by following <paramref name="path"/>
    /// (the first field with each number, descending into it) and re-encodes every enclosing message.
    /// </summary>
    public static byte[] Rewrite(ReadOnlySpan<byte> message, ReadOnlySpan<int> path, Func<List<WireField>, List<WireField>> edit)
    {
        var fields = Parse(message);
        if (path.IsEmpty)
            return Encode(edit(fields));
        int number = path[0];
        int i = fields.FindIndex(f => f.Number == number && f.WireType == ProtoBytes.Len);
        if (i < 0)
            throw new ArgumentException($"no length-delimited field {number} to descend into", nameof(path));
        fields[i] = fields[i] with { Payload = Rewrite(fields[i].Payload, path[1..], edit) };
        return Encode(fields);
    }

    /// <summary>The bytes of the message reached by <paramref name="path"/>.</summary>
    public static byte[] At(ReadOnlySpan<byte> message, ReadOnlySpan<int> path)
    {
        byte[] current = message.ToArray();
        foreach (int n in path)
            current = Parse(current).First(f => f.Number == n && f.WireType == ProtoBytes.Len).Payload;
        return current;
    }

    public static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return v;
        }
    }

    private static int SkipGroup(ReadOnlySpan<byte> data, int pos, int number, out int bodyEnd)
    {
        while (true)
        {
            int at = pos;
            ulong tag = ReadVarint(data, ref pos);
            switch ((int)(tag & 7))
            {
                case ProtoBytes.EndGroup:
                    if ((int)(tag >> 3) != number)
                        throw new FormatException("mismatched end-group");
                    bodyEnd = at;
                    return pos;
                case ProtoBytes.Varint:
                    ReadVarint(data, ref pos);
                    break;
                case ProtoBytes.Fixed64:
                    pos += 8;
                    break;
                case ProtoBytes.Fixed32:
                    pos += 4;
                    break;
                case ProtoBytes.Len:
                    int len = checked((int)ReadVarint(data, ref pos));
                    pos += len;
                    break;
                case ProtoBytes.StartGroup:
                    pos = SkipGroup(data, pos, (int)(tag >> 3), out _);
                    break;
                default:
                    throw new FormatException("bad wire type");
            }
        }
    }
}
