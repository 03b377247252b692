using System.Runtime.CompilerServices;
using System.Text;

namespace StreamList.Memory;

/// <summary>
/// A bounded pool that shares string instances for values that repeat across a cluster
/// (namespaces, label keys and values, images, node names, condition types, field managers).
/// Decoding looks the value up by its UTF-8 bytes, so a hit allocates nothing.
///
/// Contract: direct-mapped and fixed-size (it never grows past <see cref="Capacity"/> entries);
/// a collision simply replaces the older entry. Thread-safe without locks: entries are
/// immutable and published by a single reference write. Strings longer than
/// <see cref="MaxLength"/> bytes are never pooled.
/// </summary>
public sealed class Utf8StringPool
{
    private readonly Entry?[] _entries;
    private readonly uint[] _seen;
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
        _entries = new Entry?[size];
        _seen = new uint[size];
        _mask = size - 1;
        MaxLength = maxLength;
    }

    /// <summary>Number of slots.</summary>
    public int Capacity => _entries.Length;

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
        uint hash = Hash(utf8);
        int slot = (int)(hash & (uint)_mask);
        var entry = Volatile.Read(ref _entries[slot]);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            _hits++;
            return entry.Value;
        }
        _misses++;
        string value = Encoding.UTF8.GetString(utf8);
        if (_seen[slot] == hash)
            Volatile.Write(ref _entries[slot], new Entry(utf8.ToArray(), value));
        else
            _seen[slot] = hash; // first sighting: remember the hash only
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> data)
    {
        // Eight bytes per step (multiply-xorshift), then the tail: values are short, and a pool
        // of public values needs no per-process seed.
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)data.Length;
        while (data.Length >= 8)
        {
            h = (h ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
            data = data[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < data.Length; i++)
            tail |= (ulong)data[i] << (8 * i);
        h = (h ^ tail) * 0x94D049BB133111EBUL;
        return (uint)(h ^ (h >> 32));
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public readonly byte[] Utf8 = utf8;
        public readonly string Value = value;
    }
}
