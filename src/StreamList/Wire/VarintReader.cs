using System.Buffers;

namespace StreamList.Wire;

/// <summary>Varints and tags from a <see cref="SequenceReader{T}"/> that may end mid-value.</summary>
internal static class VarintReader
{
    /// <summary>
    /// Reads a varint if all its bytes are present. Returns false (reader unmoved) when the data
    /// ends inside it; throws <see cref="WireErrorKind.MalformedVarint"/> for one over 10 bytes.
    /// </summary>
    public static bool TryRead(ref SequenceReader<byte> reader, long baseOffset, out ulong value)
    {
        value = 0;
        long startConsumed = reader.Consumed;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out byte b))
            {
                reader.Rewind(reader.Consumed - startConsumed);
                value = 0;
                return false;
            }
            if (shift == 63 && b > 1)
                throw new KubernetesWireException(WireErrorKind.MalformedVarint, baseOffset + startConsumed, "", "varint overflows 64 bits");
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return true;
        }
        throw new KubernetesWireException(WireErrorKind.MalformedVarint, baseOffset + startConsumed, "", "varint longer than 10 bytes");
    }
}
