using System.Runtime.InteropServices;
using System.Text.Json;
using StreamList.Memory;

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
/// element's own raw text. Lock-free: entries are immutable, and a stale hash
/// (<see cref="SlotHashes"/>) costs a miss, never a wrong value.
/// </summary>
internal static class JsonValueCache
{
    /// <summary>Largest JSON value cached, in bytes.</summary>
    public const int MaxBytes = 4096;

    private static readonly object?[] s_elements = new object?[4096];
    private static readonly SlotHashes s_hashes = new(4096);

    /// <summary>Where a missed value may be cached: <see cref="Slot"/> is -1 on its first sighting.</summary>
    public readonly record struct Miss(int Slot, uint Hash);

    /// <summary>Looks <paramref name="json"/> up; on a miss, says where <see cref="Add"/> may put it.</summary>
    public static bool TryGet(ReadOnlySpan<byte> json, out object? element, out Miss miss)
    {
        uint hash = ByteHash.Of(json);
        int slot = (int)(hash % (uint)s_elements.Length);
        if (s_hashes.MayHold(slot, hash)
            && Volatile.Read(ref s_elements[slot]) is { } cached
            && JsonMarshal.GetRawUtf8Value((JsonElement)cached).SequenceEqual(json))
        {
            element = cached;
            miss = default;
            return true;
        }
        element = null;
        miss = new Miss(s_hashes.SeenBefore(slot, hash) ? slot : -1, hash);
        return false;
    }

    /// <summary>Caches a boxed <see cref="JsonElement"/> where <see cref="TryGet"/> said (no-op on a first sighting).</summary>
    public static void Add(Miss miss, object element)
    {
        if (miss.Slot < 0)
            return;
        Volatile.Write(ref s_elements[miss.Slot], element);
        s_hashes.Hold(miss.Slot, miss.Hash);
    }
}
