using k8s.Models;
using StreamList.Memory;

namespace StreamList.Codec;

/// <summary>
/// Shares parsed <see cref="ResourceQuantity"/> instances by their text, process-wide: a cluster
/// has a few hundred distinct requests and limits, and parsing one (KubernetesClient's parser,
/// exact fractions) costs far more than a lookup. <see cref="ResourceQuantity"/> is immutable
/// (constructor-only), so objects may share one. Direct-mapped and bounded (a collision replaces
/// the older entry); lock-free, as entries are immutable.
/// </summary>
internal static class QuantityCache
{
    private const int MaxTextBytes = 64;
    private static readonly Entry?[] s_table = new Entry?[2048];

    /// <summary>The cached quantity for <paramref name="text"/>, or false and the slot <see cref="Add"/> fills.</summary>
    public static bool TryGet(ReadOnlySpan<byte> text, out ResourceQuantity? quantity, out int slot)
    {
        quantity = null;
        slot = -1;
        if (text.Length > MaxTextBytes)
            return false;
        slot = (int)(ByteHash.Of(text) % (uint)s_table.Length);
        var entry = Volatile.Read(ref s_table[slot]);
        if (entry is null || !text.SequenceEqual(entry.Text))
            return false;
        quantity = entry.Value;
        return true;
    }

    /// <summary>Caches a parsed quantity in the slot <see cref="TryGet"/> gave (no-op for uncacheable text).</summary>
    public static void Add(int slot, ReadOnlySpan<byte> text, ResourceQuantity quantity)
    {
        if (slot >= 0)
            Volatile.Write(ref s_table[slot], new Entry(text.ToArray(), quantity));
    }

    private sealed record Entry(byte[] Text, ResourceQuantity Value);
}
