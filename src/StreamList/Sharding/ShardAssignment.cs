namespace StreamList.Sharding;

/// <summary>
/// Which part of the hash space each member of a shard group takes: the members sorted by identity
/// (ordinal), member <c>i</c> of <c>n</c> taking the <c>i</c>-th of <c>n</c> equal ranges. One
/// contiguous range per member keeps the selector to one term and the load exactly even; a change
/// of membership moves more than the minimum (docs/sharding.md measures how much). Pure.
/// </summary>
public static class ShardAssignment
{
    /// <summary>The selector of <paramref name="identity"/> among <paramref name="members"/> (which must contain it).</summary>
    /// <exception cref="ArgumentException"><paramref name="identity"/> is not a member.</exception>
    public static ShardSelector For(IEnumerable<string> members, string identity, ShardField field = ShardField.Uid)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentException.ThrowIfNullOrEmpty(identity);
        var sorted = Sorted(members);
        int index = Array.IndexOf(sorted, identity);
        if (index < 0)
            throw new ArgumentException($"'{identity}' is not one of the members ({string.Join(", ", sorted)})", nameof(identity));
        return ShardSelector.Of(index, sorted.Length, field);
    }

    /// <summary>The members, distinct, in assignment order.</summary>
    public static string[] Sorted(IEnumerable<string> members) =>
        [.. members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
