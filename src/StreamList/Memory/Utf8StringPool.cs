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
/// stale hash (<see cref="SlotHashes"/>) can cost a miss, never a wrong string.
/// </summary>
public sealed class Utf8StringPool
{
    private readonly string?[] _strings;
    private readonly SlotHashes _hashes;
    private readonly int _mask;
    private long _hits;
    private long _misses;

    /// <summary>The process-wide pool decoders use unless told otherwise (<c>DecodeOptions.Strings</c>).</summary>
    public static Utf8StringPool Shared { get; } = new();

    /// <summary>Creates a pool with room for <paramref name="capacity"/> strings (rounded up to a power of two).</summary>
    public Utf8StringPool(int capacity = 1 << 16, int maxLength = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _strings = new string?[size];
        _hashes = new SlotHashes(size);
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
            return Utf8Text.ToString(utf8);
        uint hash = ByteHash.Of(utf8);
        int slot = (int)(hash & (uint)_mask);
        if (_hashes.MayHold(slot, hash) && Volatile.Read(ref _strings[slot]) is { } pooled && System.Text.Ascii.Equals(utf8, pooled))
        {
            _hits++;
            return pooled;
        }
        _misses++;
        string value = Utf8Text.ToString(utf8);
        if (_hashes.SeenBefore(slot, hash) && value.Length == utf8.Length) // second sighting, and as many chars as bytes: ASCII
        {
            Volatile.Write(ref _strings[slot], value);
            _hashes.Hold(slot, hash);
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
