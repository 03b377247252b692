using System.Diagnostics.CodeAnalysis;
using k8s;
using StreamList.Memory;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Shares one decoded instance per distinct part, process-wide, when a decode asks
/// (<see cref="DecodeOptions.ShareParts"/>): the parts that replicas of a workload, and most pods
/// of a cluster, repeat byte for byte (env vars, probes, resources, ports, mounts, volume sources,
/// tolerations, security contexts, owner references: the generator's list). An object holding a
/// shared part costs neither its decode nor its memory; it must then never be changed, since every
/// object holding the part would change with it, as an informer's cached objects must never be.
///
/// Contract: direct-mapped and bounded (a collision replaces the older entry); a part is cached only
/// the second time its slot sees its hash, so parts unique to one object never occupy the cache;
/// parts over <see cref="MaxBytes"/> are never cached; a hit is verified byte for byte against the
/// bytes the cached part was decoded from, and by type. A shared type holds no ObjectMeta and no
/// embedded object (the generator checks), so what a part decodes to does not depend on the other
/// decode options. Lock-free: entries are immutable, and a stale hash (<see cref="SlotHashes"/>)
/// costs a miss, never a wrong part.
/// </summary>
internal static class PartCache
{
    /// <summary>Largest part cached, in bytes.</summary>
    public const int MaxBytes = 2048;

    private const int Slots = 1 << 14;

    private static readonly Entry?[] s_entries = new Entry?[Slots];
    private static readonly SlotHashes s_hashes = new(Slots);

    /// <summary>Where a missed part may be cached: <see cref="Slot"/> is -1 when it may not (yet).</summary>
    public readonly record struct Miss(int Slot, uint Hash, int Start, int Length)
    {
        /// <summary>Nothing to cache.</summary>
        public static readonly Miss None = new(-1, 0, 0, 0);
    }

    /// <summary>
    /// The cached part for the length-delimited field at the reader's position, read past it; or
    /// false, the reader unmoved, with where <see cref="Add"/> may put the part once decoded.
    /// <paramref name="nesting"/>: the messages a reader enters to read one <typeparamref name="T"/>
    /// (at most), so that a part is never taken where its decode would have exceeded the depth limit.
    /// </summary>
    public static bool TryGet<T>(ref ProtoReader r, int nesting, [NotNullWhen(true)] out T? part, out Miss miss)
        where T : class
    {
        part = null;
        miss = Miss.None;
        if (r.Depth + nesting > r.MaxDepth)
            return false;
        var content = r.PeekLengthDelimited(out int record);
        if (content.Length > MaxBytes)
            return false;
        uint hash = ByteHash.Of(content);
        int slot = (int)(hash & (Slots - 1));
        if (s_hashes.MayHold(slot, hash)
            && Volatile.Read(ref s_entries[slot]) is { Part: T cached } entry
            && content.SequenceEqual(entry.Bytes))
        {
            r.SkipBytes(record);
            part = cached;
            return true;
        }
        if (s_hashes.SeenBefore(slot, hash))
            miss = new Miss(slot, hash, r.Position + record - content.Length, content.Length);
        return false;
    }

    /// <summary>Caches <paramref name="part"/>, just decoded by <paramref name="r"/>, where <see cref="TryGet"/> said (no-op when it said nowhere).</summary>
    public static void Add(in ProtoReader r, Miss miss, object part)
    {
        if (miss.Slot < 0)
            return;
        Volatile.Write(ref s_entries[miss.Slot], new Entry(r.Bytes(miss.Start, miss.Length).ToArray(), part));
        s_hashes.Hold(miss.Slot, miss.Hash);
    }

    /// <summary>
    /// A copy of <paramref name="part"/> that nothing else holds, for a message field that occurs twice
    /// (protobuf merges the second into the first: never into a part other objects share). Rare:
    /// a JSON round trip through KubernetesClient's serializer.
    /// </summary>
    public static T Unshared<T>(T part)
        where T : class => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(part));

    private sealed record Entry(byte[] Bytes, object Part);
}
