using StreamList.Sharding;

namespace StreamList.Tests.Sharding;

public class ShardAssignmentTests
{
    [Fact]
    public void Members_sorted_by_identity_take_equal_ranges_in_order()
    {
        string[] members = ["replica-c", "replica-a", "replica-b", "replica-a"];
        Assert.Equal(["replica-a", "replica-b", "replica-c"], ShardAssignment.Sorted(members));
        Assert.Equal(ShardSelector.Of(0, 3), ShardAssignment.For(members, "replica-a"));
        Assert.Equal(ShardSelector.Of(2, 3), ShardAssignment.For(members, "replica-c"));
        Assert.Equal(ShardSelector.Of(1, 3, ShardField.Namespace), ShardAssignment.For(members, "replica-b", ShardField.Namespace));
        Assert.Throws<ArgumentException>(() => ShardAssignment.For(members, "replica-d"));
    }

    /// <summary>
    /// What a change of membership moves (docs/sharding.md): the fraction of the hash space whose owner
    /// changes. Someone's share must move (1/n on a leave, 1/(n+1) on a join); equal ranges move more,
    /// at worst half the space, in exchange for exact balance and a one-range selector.
    /// </summary>
    [Theory]
    [InlineData(2, 0.5, 0.5, 0.444, 0.5)]
    [InlineData(3, 0.444, 0.5, 0.417, 0.5)]
    [InlineData(4, 0.417, 0.5, 0.4, 0.5)]
    [InlineData(8, 0.375, 0.5, 0.370, 0.5)]
    public void A_change_of_members_moves_at_most_half_the_space(int n, double leaveAverage, double leaveWorst, double joinAverage, double joinWorst)
    {
        string[] members = [.. Enumerable.Range(0, n).Select(i => $"m{i}")];
        var leaves = members.Select(gone => Moved(members, [.. members.Where(m => m != gone)])).ToArray();
        var joins = Enumerable.Range(0, n + 1).Select(k => Moved(members, [.. members.Append($"m{k - 1}x")])).ToArray(); // sorts after m{k-1}: every position
        Assert.Equal(leaveAverage, leaves.Average(), 3);
        Assert.Equal(leaveWorst, leaves.Max(), 3);
        Assert.Equal(joinAverage, joins.Average(), 3);
        Assert.Equal(joinWorst, joins.Max(), 3);
        Assert.All(leaves, m => Assert.True(m >= 1.0 / n - 1e-9));
    }

    private static double Moved(string[] before, string[] after)
    {
        UInt128 kept = 0;
        foreach (string id in before.Intersect(after))
        {
            var (a, b) = (ShardAssignment.For(before, id).Ranges[0], ShardAssignment.For(after, id).Ranges[0]);
            UInt128 start = a.Start > b.Start ? a.Start : b.Start, end = a.End < b.End ? a.End : b.End;
            if (end > start)
                kept += end - start;
        }
        return 1 - (double)kept / (double)ShardRange.SpaceEnd;
    }
}
