using System.Buffers;
using k8s.Models;
using StreamList.Codec;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Writes a protobuf list body piece by piece, so a server can stream a list of any size without
/// holding it: <see cref="WritePrefix"/> (magic, envelope, list metadata) once the total item
/// bytes are known, then each item with <see cref="WriteItem"/>, then <see cref="Suffix"/>.
/// Items are written by field number 2, as every Kubernetes list message has them. Public for
/// servers, fixtures and replay files that write what StreamList reads (the fake API server does).
/// </summary>
public static class ListEncoding
{
    [ThreadStatic]
    private static ProtoWriter? t_scratch;

    /// <summary>The envelope fields after <c>raw</c>: empty contentEncoding and contentType.</summary>
    public static ReadOnlySpan<byte> Suffix => [0x1a, 0x00, 0x22, 0x00];

    /// <summary>Encodes one object's message body (no envelope): what a list item holds.</summary>
    /// <exception cref="ArgumentException">The object's type has no protobuf encoding.</exception>
    public static byte[] EncodeMessage(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var kind = ProtobufRegistry.ForType(value.GetType())
            ?? throw new ArgumentException($"{value.GetType().Name} has no Kubernetes protobuf encoding", nameof(value));
        var w = new ProtoWriter();
        kind.WriteBody(w, value);
        return w.ToArray();
    }

    /// <summary>Appends one object's message body (no envelope) to <paramref name="output"/>; returns its length.</summary>
    /// <exception cref="ArgumentException">The object's type has no protobuf encoding.</exception>
    public static int EncodeMessage(object value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        var kind = ProtobufRegistry.ForType(value.GetType())
            ?? throw new ArgumentException($"{value.GetType().Name} has no Kubernetes protobuf encoding", nameof(value));
        var w = t_scratch ??= new ProtoWriter(8192);
        w.Reset();
        kind.WriteBody(w, value);
        output.Write(w.WrittenSpan);
        return w.Length;
    }

    /// <summary>Bytes one item of <paramref name="messageLength"/> takes in the list: tag, length, message.</summary>
    public static long ItemFieldSize(int messageLength) => 1 + ProtoWriter.VarintSize((uint)messageLength) + messageLength;

    /// <summary>Writes magic, envelope header and list metadata for a list whose items take <paramref name="itemBytes"/> in all.</summary>
    public static void WritePrefix(IBufferWriter<byte> output, string apiVersion, string listKind, V1ListMeta metadata, long itemBytes)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(metadata);
        var meta = new ProtoWriter(256);
        ProtobufCodec.WriteV1ListMeta(meta, 1, metadata);
        long rawLength = meta.Length + itemBytes;

        var head = new ProtoWriter(256);
        head.WriteVarint((ulong)rawLength);
        head.WriteTag(2, WireType.LengthDelimited);
        int typeMeta = head.BeginMessage();
        head.WriteString(2, listKind);
        head.WriteString(1, apiVersion);
        head.EndMessage(1, typeMeta);
        head.WriteRaw(Envelope.Magic);
        output.Write(head.WrittenSpan);
        output.Write(meta.WrittenSpan);
    }

    /// <summary>Writes one item field (tag 2, length, message).</summary>
    public static void WriteItem(IBufferWriter<byte> output, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(1 + 5);
        span[0] = (2 << 3) | (byte)WireType.LengthDelimited;
        int n = 1;
        uint v = (uint)message.Length;
        while (v >= 0x80)
        {
            span[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[n++] = (byte)v;
        output.Advance(n);
        output.Write(message);
    }
}
