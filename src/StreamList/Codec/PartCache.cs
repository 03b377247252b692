using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
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
/// bytes the cached part was decoded from, by type, and against the depth limit with the nesting its
/// decode reached (groups included). A shared type holds no ObjectMeta and no embedded object (the
/// generator checks), so what a part decodes to does not depend on the other decode options (string
/// interning aside: a shared part keeps the strings of the decode that cached it). At most
/// 16,384 parts of at most 2 KiB each are held, for the life of the process. Lock-free: entries are immutable, and a stale hash (<see cref="SlotHashes"/>)
/// costs a miss, never a wrong part.
/// </summary>
internal static class PartCache
{
    /// <summary>Largest part cached, in bytes.</summary>
    public const int MaxBytes = 2048;

    private const int Slots = 1 << 14;

    private static readonly Entry?[] s_entries = new Entry?[Slots];
    private static readonly SlotHashes s_hashes = new(Slots);

    /// <summary>
    /// A part being decoded: where it may be cached (<see cref="Slot"/> -1: nowhere yet), where its
    /// bytes are, the depth it starts at and the reader's <see cref="ProtoReader.Deepest"/> to restore.
    /// </summary>
    public readonly record struct Miss(bool Active, int Slot, uint Hash, int Start, int Length, int Depth, int SavedDeepest)
    {
        /// <summary>Not sharing: nothing to learn or cache.</summary>
        public static readonly Miss None = default;
    }

    /// <summary>
    /// The cached part for the length-delimited field at the reader's position, read past it; or
    /// false, the reader unmoved and its <see cref="ProtoReader.Deepest"/> reset to learn the part's
    /// nesting, with what <see cref="Add"/> needs once the part is decoded (always call it then).
    /// A cached part is taken only where its decode would not have exceeded the depth limit.
    /// </summary>
    public static bool TryGet<T>(ref ProtoReader r, [NotNullWhen(true)] out T? part, out Miss miss)
        where T : class
    {
        var content = r.PeekLengthDelimited(out int record);
        int slot = -1;
        uint hash = 0;
        if (content.Length <= MaxBytes)
        {
            hash = ByteHash.Of(content);
            int at = (int)(hash & (Slots - 1));
            // The type is checked on the entry, not on the part: a hit then never loads the part itself.
            if (s_hashes.MayHold(at, hash)
                && Volatile.Read(ref s_entries[at]) is { } entry
                && entry.Type == typeof(T).TypeHandle.Value
                && r.Depth + entry.Nesting <= r.MaxDepth
                && content.SequenceEqual(entry.Bytes))
            {
                r.SkipBytes(record);
                r.Deepest = Math.Max(r.Deepest, r.Depth + entry.Nesting);
                part = Unsafe.As<T>(entry.Part);
                miss = Miss.None;
                return true;
            }
            if (s_hashes.SeenBefore(at, hash))
                slot = at;
        }
        part = null;
        miss = new Miss(true, slot, hash, r.Position + record - content.Length, content.Length, r.Depth, r.Deepest);
        r.Deepest = r.Depth;
        return false;
    }

    /// <summary>
    /// After a <see cref="TryGet"/> that missed and the decode of <paramref name="part"/>: restores the
    /// reader's <see cref="ProtoReader.Deepest"/> and caches the part with the nesting its decode
    /// reached, where <see cref="TryGet"/> said (no-op for <see cref="Miss.None"/>).
    /// </summary>
    public static void Add(ref ProtoReader r, in Miss miss, object part)
    {
        if (!miss.Active)
            return;
        int nesting = r.Deepest - miss.Depth;
        r.Deepest = Math.Max(miss.SavedDeepest, r.Deepest);
        if (miss.Slot < 0)
            return;
        Volatile.Write(ref s_entries[miss.Slot], new Entry(r.Bytes(miss.Start, miss.Length).ToArray(), part, part.GetType().TypeHandle.Value, nesting));
        s_hashes.Hold(miss.Slot, miss.Hash);
    }

    /// <summary>A cached part.</summary>
    /// <param name="Bytes">The message bytes it was decoded from (a copy the cache owns).</param>
    /// <param name="Part">The decoded part.</param>
    /// <param name="Type">Its exact type's handle (a hit must be of the type its reader asks for; a handle, not a <see cref="System.Type"/>, which shared generic code would have to look up).</param>
    /// <param name="Nesting">Messages and groups a reader entered to decode the part, itself included.</param>
    private sealed record Entry(byte[] Bytes, object Part, nint Type, int Nesting);
}
