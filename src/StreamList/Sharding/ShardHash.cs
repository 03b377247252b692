using System.Text;

namespace StreamList.Sharding;

/// <summary>
/// The hash KEP-5866 shards by: 64-bit FNV-1a over the field's UTF-8 bytes (offset basis
/// 0xcbf29ce484222325, prime 0x100000001b3), as the apiserver computes it for
/// <c>shardRange(object.metadata.uid, …)</c>. Pure and allocation-free for ASCII input.
/// </summary>
public static class ShardHash
{
    private const ulong OffsetBasis = 0xcbf2_9ce4_8422_2325UL;
    private const ulong Prime = 0x0000_0100_0000_01b3UL;

    /// <summary>FNV-1a 64 of <paramref name="value"/>'s UTF-8 encoding (null hashes as "").</summary>
    public static ulong Of(string? value)
    {
        ulong hash = OffsetBasis;
        if (string.IsNullOrEmpty(value))
            return hash;
        foreach (char c in value)
        {
            if (c >= 0x80)
                return Of(Encoding.UTF8.GetBytes(value)); // rare: Kubernetes uids and namespaces are ASCII
            hash = (hash ^ c) * Prime;
        }
        return hash;
    }

    /// <summary>FNV-1a 64 of <paramref name="bytes"/>.</summary>
    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        ulong hash = OffsetBasis;
        foreach (byte b in bytes)
            hash = (hash ^ b) * Prime;
        return hash;
    }
}
