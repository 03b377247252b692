using System.Buffers;
using StreamList.Codec;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Decodes one complete part of a streamed body (a list item, list metadata, a watch event)
/// from a possibly multi-segment sequence: directly from the span when contiguous, else from one
/// rented copy. Errors are reported with the part's absolute offset and path.
/// </summary>
internal static class PartDecoder
{
    /// <param name="part">The part's bytes.</param>
    /// <param name="offset">Absolute offset of its first byte.</param>
    /// <param name="read">Reads the message body.</param>
    /// <param name="options">Limits and interning.</param>
    /// <param name="path">The part's field name for errors (e.g. <c>metadata</c>, <c>items</c>).</param>
    /// <param name="index">For a repeated field, the element's index (errors then say <c>items[3]</c>); else -1.</param>
    public static object Message(in ReadOnlySequence<byte> part, long offset, BodyReader read, DecodeOptions options, string path, long index = -1)
    {
        if (part.IsSingleSegment)
            return Decode(part.FirstSpan, offset, read, options, path, index);
        var (buffer, length) = Contiguous.Rent(part, options.MaxMessageBytes, offset);
        try
        {
            return Decode(buffer.AsSpan(0, length), offset, read, options, path, index);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static object Decode(ReadOnlySpan<byte> data, long offset, BodyReader read, DecodeOptions options, string path, long index)
    {
        try
        {
            var r = options.Reader(data, offset);
            return read(ref r);
        }
        catch (KubernetesWireException e)
        {
            if (index >= 0)
                path = $"{path}[{index}]";
            throw e.Within(path);
        }
    }

    /// <summary>Reads a runtime.TypeMeta message: (apiVersion, kind).</summary>
    public static (string ApiVersion, string Kind) TypeMeta(in ReadOnlySequence<byte> part, long offset)
    {
        Span<byte> small = part.Length <= 512 ? stackalloc byte[(int)part.Length] : new byte[part.Length];
        part.CopyTo(small);
        var r = new ProtoReader(small, offset);
        string apiVersion = "", kind = "";
        while (r.TryReadTag(out uint tag))
        {
            switch (tag >> 3)
            {
                case 1:
                    r.Expect(tag, WireType.LengthDelimited, "apiVersion");
                    apiVersion = r.ReadString();
                    break;
                case 2:
                    r.Expect(tag, WireType.LengthDelimited, "kind");
                    kind = r.ReadString();
                    break;
                default:
                    r.SkipField(tag);
                    break;
            }
        }
        return (apiVersion, kind);
    }
}
