namespace StreamList.Memory;

/// <summary>
/// The hash words of a direct-mapped cache that admits a value on its second sighting (the string
/// pool, the FieldsV1 cache): one <c>ulong</c> per slot, the cached value's hash in the low half and
/// the hash of the last value first seen there in the high half. A lookup that misses, as most
/// lookups of values unique to one object do, reads one element and touches no cached object.
///
/// Contract: lock-free; a word is read and written whole, and the cache checks every hit against
/// the cached value itself, so a stale word (another thread's write in between) costs a miss or a
/// skipped admission, never a wrong value.
/// </summary>
internal readonly struct SlotHashes(int slots)
{
    private readonly ulong[] _words = new ulong[slots];

    /// <summary>True when <paramref name="slot"/> may hold the value hashing to <paramref name="hash"/> (the caller compares the value).</summary>
    public bool MayHold(int slot, uint hash) => (uint)Volatile.Read(ref _words[slot]) == hash;

    /// <summary>
    /// After a miss: true when this hash was seen in <paramref name="slot"/> before, so the value may
    /// be cached now (then call <see cref="Hold"/>); otherwise remembers the hash and returns false.
    /// </summary>
    public bool SeenBefore(int slot, uint hash)
    {
        ulong word = Volatile.Read(ref _words[slot]);
        if ((uint)(word >> 32) == hash)
            return true;
        Volatile.Write(ref _words[slot], ((ulong)hash << 32) | (uint)word);
        return false;
    }

    /// <summary>Records that <paramref name="slot"/> now holds the value hashing to <paramref name="hash"/>.</summary>
    public void Hold(int slot, uint hash) => Volatile.Write(ref _words[slot], ((ulong)hash << 32) | hash);
}
