using System.Buffers;
using StreamList.Memory;

namespace StreamList.Tests.Support;

/// <summary>A compact or compressed store payload as plain message bytes.</summary>
public static class Payloads
{
    /// <summary>The array itself, or a compressed message restored into a new array.</summary>
    internal static byte[] Plain(object payload)
    {
        if (payload is byte[] message)
            return message;
        var packed = (CompressedMessage)payload;
        var buffer = packed.Dictionary.Decompress(packed);
        try
        {
            return buffer.AsSpan(0, packed.OriginalLength).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
