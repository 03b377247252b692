using System.Runtime.CompilerServices;
using k8s.Models;
using StreamList.Memory;

namespace StreamList.Codec;

/// <summary>
/// Shares parsed <see cref="ResourceQuantity"/> instances per quantity text when interning is on:
/// a cluster has a few hundred distinct requests and limits, and parsing one costs far more than
/// a lookup. <see cref="ResourceQuantity"/> is immutable (constructor-only), so sharing is safe.
/// One direct-mapped table per string pool, lock-free like the pool itself.
/// </summary>
internal static class QuantityCache
{
    private static readonly ConditionalWeakTable<Utf8StringPool, Entry?[]> s_tables = new();

    public static ResourceQuantity Get(Utf8StringPool pool, ReadOnlySpan<byte> text)
    {
        var table = s_tables.GetValue(pool, p => new Entry?[Math.Max(256, p.Capacity / 64)]);
        string key = pool.Get(text);
        int slot = (int)((uint)key.GetHashCode() % (uint)table.Length);
        var entry = Volatile.Read(ref table[slot]);
        if (entry is not null && string.Equals(entry.Key, key, StringComparison.Ordinal))
            return entry.Value;
        var q = new ResourceQuantity(key);
        Volatile.Write(ref table[slot], new Entry(key, q));
        return q;
    }

    private sealed record Entry(string Key, ResourceQuantity Value);
}
