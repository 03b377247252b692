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
}
