using System.Text;

namespace StreamList.Memory;

/// <summary>
/// A bounded pool that shares string instances for values that repeat across a cluster
/// (namespaces, label keys and values, images, node names, condition types, field managers).
/// Decoding looks the value up by its UTF-8 bytes, so a hit allocates nothing.
///
/// Contract: direct-mapped and fixed-size (it never grows past <see cref="Capacity"/> entries);
/// a value is pooled the second time its slot sees it (the first sighting only notes its hash, so
/// values unique to one object never displace shared ones), and a collision then replaces the
/// older entry. Only ASCII values of at most <see cref="MaxLength"/> bytes are pooled.
/// Thread-safe without locks: a hit is always checked against the pooled string itself, so a
/// torn or stale hash can cost a miss, never a wrong string.
///
/// Layout: one <c>ulong</c> per slot holds the pooled string's hash (low half) and the hash of the
/// last value first seen there (high half), so a lookup that misses, as most lookups of unique
/// values do, reads one array element and touches no string.
/// </summary>
public sealed class Utf8StringPool
{
    private readonly string?[] _strings;
    private readonly ulong[] _hashes;
    private readonly int _mask;
    private long _hits;
    private long _misses;

    /// <summary>The process-wide pool decoders use unless told otherwise (<see cref="DecodeOptions.Strings"/>).</summary>
    public static Utf8StringPool Shared { get; } = new();

    /// <summary>Creates a pool with room for <paramref name="capacity"/> strings (rounded up to a power of two).</summary>
    public Utf8StringPool(int capacity = 1 << 16, int maxLength = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _strings = new string?[size];
        _hashes = new ulong[size];
        _mask = size - 1;
        MaxLength = maxLength;
    }

    /// <summary>Number of slots.</summary>
    public int Capacity => _strings.Length;

    /// <summary>Longest UTF-8 value, in bytes, that is pooled.</summary>
    public int MaxLength { get; }

    /// <summary>Lookups answered from the pool (approximate under concurrency).</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Lookups that created a new string (approximate under concurrency).</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>Returns the pooled string for these UTF-8 bytes, creating and pooling it on a miss.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0)
            return string.Empty;
        if (utf8.Length > MaxLength)
            return Encoding.UTF8.GetString(utf8);
        uint hash = ByteHash.Of(utf8);
        int slot = (int)(hash & (uint)_mask);
        ulong hashes = Volatile.Read(ref _hashes[slot]);
        if ((uint)hashes == hash)
        {
            string? pooled = Volatile.Read(ref _strings[slot]);
            if (pooled is not null && System.Text.Ascii.Equals(utf8, pooled))
            {
                _hits++;
                return pooled;
            }
        }
        _misses++;
        string value = Encoding.UTF8.GetString(utf8);
        if ((uint)(hashes >> 32) != hash)
            Volatile.Write(ref _hashes[slot], ((ulong)hash << 32) | (uint)hashes); // first sighting: remember the hash only
        else if (value.Length == utf8.Length) // as many chars as bytes: ASCII
        {
            Volatile.Write(ref _strings[slot], value);
            Volatile.Write(ref _hashes[slot], ((ulong)hash << 32) | hash);
        }
        return value;
    }

    /// <summary>Returns the pooled instance equal to <paramref name="value"/>, pooling it on a miss.</summary>
    public string Get(string value)
    {
        if (value.Length == 0 || value.Length > MaxLength)
            return value;
        Span<byte> buffer = stackalloc byte[MaxLength * 3];
        int n = Encoding.UTF8.GetBytes(value, buffer);
        return n > MaxLength ? value : Get(buffer[..n]);
    }
}
