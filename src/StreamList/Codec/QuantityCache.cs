using k8s.Models;
using StreamList.Memory;

namespace StreamList.Codec;

/// <summary>
/// Shares parsed <see cref="ResourceQuantity"/> instances by their text, process-wide: a cluster
/// has a few hundred distinct requests and limits, and parsing one (KubernetesClient's parser,
/// exact fractions) costs far more than a lookup. <see cref="ResourceQuantity"/> is immutable
/// (constructor-only), so objects may share one. Bounded and two-way set-associative: a value may
/// sit in either slot of its bucket, so two values that hash to the same bucket both stay cached
/// instead of evicting each other on every pod (direct-mapped, the 13 distinct quantities of the
/// codec benchmark's 16 pods had such a pair); a third takes the second slot. Lock-free, as
/// entries are immutable.
/// </summary>
internal static class QuantityCache
{
    private const int MaxTextBytes = 64;
    private static readonly Entry?[] s_table = new Entry?[2048];

    /// <summary>The cached quantity for <paramref name="text"/>, or false and the bucket <see cref="Add"/> fills.</summary>
    public static bool TryGet(ReadOnlySpan<byte> text, out ResourceQuantity? quantity, out int bucket)
    {
        quantity = null;
        bucket = -1;
        if (text.Length > MaxTextBytes)
            return false;
        bucket = (int)(ByteHash.Of(text) % (uint)(s_table.Length / 2)) * 2;
        for (int way = 0; way < 2; way++)
        {
            var entry = Volatile.Read(ref s_table[bucket + way]);
            if (entry is not null && text.SequenceEqual(entry.Text))
            {
                quantity = entry.Value;
                return true;
            }
        }
        return false;
    }

    /// <summary>Caches a parsed quantity in the bucket <see cref="TryGet"/> gave (no-op for uncacheable text): an empty slot, else the second.</summary>
    public static void Add(int bucket, ReadOnlySpan<byte> text, ResourceQuantity quantity)
    {
        if (bucket < 0)
            return;
        int slot = Volatile.Read(ref s_table[bucket]) is null ? bucket : bucket + 1;
        Volatile.Write(ref s_table[slot], new Entry(text.ToArray(), quantity));
    }

    private sealed record Entry(byte[] Text, ResourceQuantity Value);
}
