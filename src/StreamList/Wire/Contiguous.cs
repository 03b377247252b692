using System.Buffers;

namespace StreamList.Wire;

/// <summary>
/// The slow path for data split across buffer segments: copies it into one rented array so the
/// span-based reader can decode it. Size is checked against the limit before renting.
/// </summary>
internal static class Contiguous
{
    /// <summary>Rents an array holding <paramref name="data"/>; the caller returns it to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static (byte[] Buffer, int Length) Rent(in ReadOnlySequence<byte> data, int maxMessageBytes, long baseOffset)
    {
        if (data.Length > maxMessageBytes + 64L)
            throw new KubernetesWireException(WireErrorKind.MessageTooLarge, baseOffset, "",
                $"{data.Length} bytes exceed the {maxMessageBytes}-byte limit");
        int length = (int)data.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        data.CopyTo(buffer);
        return (buffer, length);
    }
}
