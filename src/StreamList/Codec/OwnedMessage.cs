using System.Buffers;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>What of an object's message body a compact store keeps.</summary>
internal enum MessageTrim
{
    /// <summary>Every byte, as it arrived.</summary>
    None,

    /// <summary>Only the metadata field (what <see cref="DecodeOptions.MetadataOnly"/> would build).</summary>
    MetadataOnly,

    /// <summary>Everything but <c>metadata.managedFields</c> (field 17 of ObjectMeta).</summary>
    DropManagedFields,
}

/// <summary>
/// Copies an object's protobuf message body (a list item, a watch event's raw object) into an array
/// that the caller alone owns, optionally trimmed on the wire form: the metadata field alone, or
/// ObjectMeta's managedFields dropped with the metadata length rewritten (what the
/// built-in transforms <c>MetadataOnly</c> and <c>DropManagedFields</c> do to an object). The bytes are otherwise
/// left exactly as they arrived (no decode, no re-encode).
///
/// Contract: the result never refers to the input (a network or pooled buffer may be reused the
/// moment this returns). Only the top level (and, when trimming, the metadata) is walked; a body
/// whose walked levels are not well-formed gives null, so the caller decodes it instead and the
/// decoder reports the error with its path. Deeper errors surface when the bytes are decoded.
/// </summary>
internal static class OwnedMessage
{
    private const uint MetadataTag = (1 << 3) | (uint)WireType.LengthDelimited;
    private const uint ManagedFieldsTag = (17 << 3) | (uint)WireType.LengthDelimited;

    /// <summary>The owned, trimmed copy of <paramref name="message"/>, or null when its walked levels are malformed.</summary>
    public static byte[]? Copy(in ReadOnlySequence<byte> message, MessageTrim trim)
    {
        if (message.IsSingleSegment)
            return Copy(message.FirstSpan, trim);
        int length = checked((int)message.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            message.CopyTo(rented);
            return Copy(rented.AsSpan(0, length), trim);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The owned, trimmed copy of <paramref name="message"/>, or null when its walked levels are malformed.</summary>
    public static byte[]? Copy(ReadOnlySpan<byte> message, MessageTrim trim)
    {
        try
        {
            return trim == MessageTrim.None ? CopyChecked(message) : Trim(message, trim);
        }
        catch (KubernetesWireException)
        {
            return null;
        }
    }

    private static byte[] CopyChecked(ReadOnlySpan<byte> message)
    {
        var r = new ProtoReader(message);
        while (r.TryReadTag(out uint tag))
            r.SkipField(tag);
        return message.ToArray();
    }

    private static byte[] Trim(ReadOnlySpan<byte> message, MessageTrim trim)
    {
        // Find the one metadata record: [recordStart, contentStart) is its tag and length, then its content.
        var r = new ProtoReader(message);
        int recordStart = -1, contentStart = -1, contentEnd = -1;
        while (true)
        {
            int at = r.Position;
            if (!r.TryReadTag(out uint tag))
                break;
            if (tag != MetadataTag)
            {
                r.SkipField(tag);
                continue;
            }
            if (recordStart >= 0)
                return CopyChecked(message); // metadata in two records (legal, never sent): keep it whole
            recordStart = at;
            int length = r.ReadLength();
            contentStart = r.Position;
            contentEnd = contentStart + length;
            r.SkipBytes(length);
        }
        bool metadataOnly = trim == MessageTrim.MetadataOnly;
        if (recordStart < 0)
            return metadataOnly ? [] : message.ToArray();

        var content = message[contentStart..contentEnd];
        bool drop = trim == MessageTrim.DropManagedFields;
        int dropped = drop ? ManagedFieldsLength(content) : 0;
        int newContent = content.Length - dropped;
        var before = metadataOnly ? [] : message[..recordStart];
        var after = metadataOnly ? [] : message[contentEnd..];
        var owned = new byte[before.Length + 1 + ProtoWriter.VarintSize((uint)newContent) + newContent + after.Length];
        var w = owned.AsSpan();
        before.CopyTo(w);
        w = w[before.Length..];
        w[0] = (byte)MetadataTag;
        w = WriteVarint(w[1..], (uint)newContent);
        w = dropped == 0 ? Write(w, content) : WriteWithoutManagedFields(w, content);
        after.CopyTo(w);
        return owned;
    }

    /// <summary>Total bytes of ObjectMeta's managedFields records in <paramref name="meta"/>.</summary>
    private static int ManagedFieldsLength(ReadOnlySpan<byte> meta)
    {
        var r = new ProtoReader(meta);
        int total = 0;
        while (true)
        {
            int at = r.Position;
            if (!r.TryReadTag(out uint tag))
                return total;
            r.SkipField(tag);
            if (tag == ManagedFieldsTag)
                total += r.Position - at;
        }
    }

    private static Span<byte> WriteWithoutManagedFields(Span<byte> w, ReadOnlySpan<byte> meta)
    {
        var r = new ProtoReader(meta);
        int keepFrom = 0;
        while (true)
        {
            int at = r.Position;
            if (!r.TryReadTag(out uint tag))
                return Write(w, meta[keepFrom..]);
            r.SkipField(tag);
            if (tag != ManagedFieldsTag)
                continue;
            w = Write(w, meta[keepFrom..at]);
            keepFrom = r.Position;
        }
    }

    private static Span<byte> Write(Span<byte> w, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(w);
        return w[bytes.Length..];
    }

    private static Span<byte> WriteVarint(Span<byte> w, uint v)
    {
        int i = 0;
        while (v >= 0x80)
        {
            w[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        w[i++] = (byte)v;
        return w[i..];
    }
}
