using System.Globalization;

namespace StreamList.Sharding;

/// <summary>
/// A half-open range <c>[Start, End)</c> of the 64-bit hash space; <see cref="End"/> may be
/// <see cref="SpaceEnd"/> (2^64), so both bounds are <see cref="UInt128"/>.
/// </summary>
public readonly record struct ShardRange
{
    /// <summary>The exclusive end of the hash space, 2^64 (<c>0x10000000000000000</c>).</summary>
    public static readonly UInt128 SpaceEnd = (UInt128)ulong.MaxValue + 1;

    /// <summary>A range; throws when it is empty, inverted or past the end of the space.</summary>
    /// <exception cref="ArgumentException">Not <c>Start &lt; End ≤ 2^64</c>.</exception>
    public ShardRange(UInt128 start, UInt128 end)
    {
        if (end > SpaceEnd)
            throw new ArgumentException($"shard range end {Hex(end)} is past the end of the hash space {Hex(SpaceEnd)}", nameof(end));
        if (start >= end)
            throw new ArgumentException($"shard range [{Hex(start)}, {Hex(end)}) is empty or inverted", nameof(start));
        Start = start;
        End = end;
    }

    /// <summary>Inclusive start.</summary>
    public UInt128 Start { get; }

    /// <summary>Exclusive end.</summary>
    public UInt128 End { get; }

    /// <summary>The whole space.</summary>
    public static ShardRange All => new(0, SpaceEnd);

    /// <summary>Range <paramref name="index"/> of <paramref name="count"/> equal ranges covering the space.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 1 or <paramref name="index"/> not in [0, count).</exception>
    public static ShardRange Of(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        return new ShardRange(SpaceEnd * (uint)index / (uint)count, SpaceEnd * (uint)(index + 1) / (uint)count);
    }

    /// <summary>True when <paramref name="hash"/> is in the range.</summary>
    public bool Contains(ulong hash) => hash >= Start && hash < End;

    /// <summary>The fraction of the hash space the range covers.</summary>
    public double Fraction => (double)(End - Start) / (double)SpaceEnd;

    /// <summary>A bound as the selector writes it: <c>0x</c> and 16 lowercase hex digits (17 for 2^64).</summary>
    public static string Hex(UInt128 value) => "0x" + value.ToString("x16", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override string ToString() => $"[{Hex(Start)}, {Hex(End)})";
}
