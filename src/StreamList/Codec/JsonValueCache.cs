using System.Runtime.InteropServices;
using System.Text.Json;

namespace StreamList.Codec;

/// <summary>
/// Shares one parsed <see cref="JsonElement"/> per distinct FieldsV1 / RawExtension JSON value,
/// process-wide: the managedFields of a workload's replicas repeat byte for byte, and parsing them
/// is the largest single cost of decoding a pod. A JsonElement is immutable, so objects may share
/// one (boxed once, so sharing costs no allocation either).
///
/// Contract: direct-mapped and bounded (a collision replaces the older entry); a value is cached
/// only the second time its slot sees its hash, so values unique to one object (a kubelet entry
/// naming the pod's IP) never occupy the cache and age into the older GC generations; values over
/// <see cref="MaxBytes"/> are never cached; a hit is verified byte for byte against the cached
/// element's own raw text. Lock-free: entries are immutable.
/// </summary>
internal static class JsonValueCache
{
    /// <summary>Largest JSON value cached, in bytes.</summary>
    public const int MaxBytes = 4096;

    private static readonly Entry?[] s_table = new Entry?[4096];
    private static readonly int[] s_seen = new int[4096];

    /// <summary>
    /// Looks <paramref name="json"/> up. On a miss, <paramref name="slot"/> is where <see cref="Add"/>
    /// may put it: the slot when this value was seen there before, else -1 (its hash is remembered).
    /// </summary>
    public static bool TryGet(ReadOnlySpan<byte> json, out object? element, out int slot)
    {
        var table = s_table;
        var hasher = new HashCode();
        hasher.AddBytes(json);
        int hash = hasher.ToHashCode();
        slot = (int)((uint)hash % (uint)table.Length);
        var entry = Volatile.Read(ref table[slot]);
        if (entry is not null && JsonMarshal.GetRawUtf8Value((JsonElement)entry.Element).SequenceEqual(json))
        {
            element = entry.Element;
            return true;
        }
        element = null;
        if (s_seen[slot] != hash)
        {
            s_seen[slot] = hash;
            slot = -1;
        }
        return false;
    }

    /// <summary>Caches a boxed <see cref="JsonElement"/> in the slot <see cref="TryGet"/> gave (no-op for -1).</summary>
    public static void Add(int slot, object element)
    {
        if (slot >= 0)
            Volatile.Write(ref s_table[slot], new Entry(element));
    }

    private sealed record Entry(object Element);
}
