using System.Text;
using StreamList.Sharding;

namespace StreamList.Tests.Sharding;

public class ShardSelectorTests
{
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void The_hash_is_FNV_1a_64_with_the_published_test_vectors(string input, ulong expected)
    {
        Assert.Equal(expected, ShardHash.Of(input));
        Assert.Equal(expected, ShardHash.Of(Encoding.UTF8.GetBytes(input)));
    }

    [Fact]
    public void A_non_ASCII_value_hashes_its_UTF8_bytes()
    {
        Assert.Equal(ShardHash.Of(Encoding.UTF8.GetBytes("ns-é✓")), ShardHash.Of("ns-é✓"));
        Assert.Equal(ShardHash.Of(""), ShardHash.Of((string?)null));
    }

    [Fact]
    public void Ranges_render_as_the_apiserver_documents_them()
    {
        Assert.Equal("shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')", ShardSelector.Of(0, 2).ToString());
        Assert.Equal("shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')", ShardSelector.Of(1, 2).ToString());
        Assert.Equal("shardRange(object.metadata.namespace, '0xc000000000000000', '0x10000000000000000')", ShardSelector.Of(3, 4, ShardField.Namespace).ToString());
        var two = ShardSelector.ForRanges(ShardField.Uid, [ShardRange.Of(0, 4), ShardRange.Of(2, 4)]);
        Assert.Equal("shardRange(object.metadata.uid, '0x0000000000000000', '0x4000000000000000') || shardRange(object.metadata.uid, '0x8000000000000000', '0xc000000000000000')", two.ToString());
        Assert.Equal(0.5, two.Fraction);
    }

    [Theory]
    [InlineData("shardRange(object.metadata.uid, '0x0', '0x8000000000000000')", "shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')")]
    [InlineData("shardRange(object.metadata.uid, '0x0', '0x8000000000000000') || shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')",
        "shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000') || shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')")]
    [InlineData("  shardRange ( object.metadata.namespace ,'0x1','0xFF' )||shardRange(object.metadata.namespace, '0x100', '0x200')",
        "shardRange(object.metadata.namespace, '0x0000000000000001', '0x00000000000000ff') || shardRange(object.metadata.namespace, '0x0000000000000100', '0x0000000000000200')")]
    public void Selector_text_parses_and_renders_canonically(string text, string canonical)
    {
        var selector = ShardSelector.Parse(text);
        Assert.Equal(canonical, selector.ToString());
        Assert.Equal(selector, ShardSelector.Parse(canonical));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("app=web", "is not shardRange")]
    [InlineData("shardRange(object.metadata.name, '0x0', '0x1')", "not a supported field")]
    [InlineData("shardRange(metadata.uid, '0x0', '0x1')", "not a supported field")]
    [InlineData("shardRange(object.metadata.uid, '0x8', '0x8')", "empty or inverted")]
    [InlineData("shardRange(object.metadata.uid, '0x9', '0x8')", "empty or inverted")]
    [InlineData("shardRange(object.metadata.uid, '0x0', '0x10000000000000001')", "past the end")]
    [InlineData("shardRange(object.metadata.uid, '0x0', '0x100000000000000000')", "at most 17 digits")]
    [InlineData("shardRange(object.metadata.uid, 0x0, '0x8')", "quoted 0x-prefixed")]
    [InlineData("shardRange(object.metadata.uid, '0', '0x8')", "quoted 0x-prefixed")]
    [InlineData("shardRange(object.metadata.uid, '0xg', '0x8')", "hex number")]
    [InlineData("shardRange(object.metadata.uid, '0x0')", "3 arguments")]
    [InlineData("shardRange(object.metadata.uid, '0x0', '0x8') || shardRange(object.metadata.namespace, '0x8', '0x9')", "one field")]
    [InlineData("shardRange(object.metadata.uid, '0x0', '0x8') ||", "is not shardRange")]
    [InlineData("shardRange(object.metadata.uid, '0x0', '0x8') && shardRange(object.metadata.uid, '0x8', '0x9')", "3 arguments")]
    public void Bad_selector_text_is_an_argument_error_that_says_why(string text, string reason)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => ShardSelector.Parse(text));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.False(ShardSelector.TryParse(text, out var none, out string error));
        Assert.Null(none);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_inverted_or_out_of_space_ranges_and_no_ranges_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ShardRange(5, 5));
        Assert.Throws<ArgumentException>(() => new ShardRange(6, 5));
        Assert.Throws<ArgumentException>(() => new ShardRange(0, ShardRange.SpaceEnd + 1));
        Assert.Throws<ArgumentException>(() => ShardSelector.ForRanges(ShardField.Uid, []));
        Assert.Throws<ArgumentException>(() => ShardSelector.ForRanges(ShardField.Uid, [default]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardSelector.Of(2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardSelector.Of(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardSelector.Of(0, 1, (ShardField)7));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Range_i_of_n_partitions_the_space_every_hash_in_exactly_one(int n)
    {
        var shards = Enumerable.Range(0, n).Select(i => ShardSelector.Of(i, n)).ToArray();
        Assert.Equal(0UL, (ulong)shards[0].Ranges[0].Start);
        Assert.Equal(ShardRange.SpaceEnd, shards[^1].Ranges[0].End);
        for (int i = 1; i < n; i++)
            Assert.Equal(shards[i - 1].Ranges[0].End, shards[i].Ranges[0].Start);
        var random = new Random(5);
        ulong[] edges = [0, ulong.MaxValue, .. shards.Skip(1).Select(s => (ulong)s.Ranges[0].Start), .. shards.Skip(1).Select(s => (ulong)s.Ranges[0].Start - 1)];
        foreach (ulong hash in edges.Concat(Enumerable.Range(0, 2000).Select(_ => (ulong)random.NextInt64() * 2 + (ulong)random.Next(2))))
            Assert.Equal(1, shards.Count(s => s.Contains(hash)));
        foreach (var uid in Enumerable.Range(0, 500).Select(_ => Guid.NewGuid().ToString()))
            Assert.Equal(1, shards.Count(s => s.Matches(uid, "ns")));
    }

    [Fact]
    public void A_selector_is_within_another_when_the_other_covers_all_its_ranges()
    {
        var half = ShardSelector.Of(0, 2);
        Assert.True(ShardSelector.Of(0, 4).IsWithin(half));
        Assert.True(ShardSelector.Of(1, 4).IsWithin(half));
        Assert.False(ShardSelector.Of(2, 4).IsWithin(half));
        Assert.False(ShardSelector.Of(0, 3).IsWithin(ShardSelector.Of(0, 4)));
        Assert.True(half.IsWithin(null));
        Assert.True(half.IsWithin(half));
        Assert.False(ShardSelector.Of(0, 4, ShardField.Namespace).IsWithin(half));
        // Covered by two adjacent ranges together, not by either alone.
        var pieces = ShardSelector.ForRanges(ShardField.Uid, [ShardRange.Of(1, 4), ShardRange.Of(0, 4)]);
        Assert.True(half.IsWithin(pieces));
        Assert.False(ShardSelector.Of(0, 1).IsWithin(pieces));
    }

    [Fact]
    public void Matching_hashes_the_chosen_field_of_the_object()
    {
        var meta = new k8s.Models.V1ObjectMeta { Uid = "5f1c1a51-9a1b-4a4e-8a8e-0c4b7f0ad3a1", NamespaceProperty = "ns-007" };
        ulong uidHash = ShardHash.Of(meta.Uid), nsHash = ShardHash.Of(meta.NamespaceProperty);
        var byUid = ShardSelector.ForRanges(ShardField.Uid, [new ShardRange(uidHash, (UInt128)uidHash + 1)]);
        var byNamespace = ShardSelector.ForRanges(ShardField.Namespace, [new ShardRange(nsHash, (UInt128)nsHash + 1)]);
        Assert.True(byUid.Matches(meta));
        Assert.True(byNamespace.Matches(meta));
        Assert.False(byUid.Matches(new k8s.Models.V1ObjectMeta { Uid = "other", NamespaceProperty = meta.NamespaceProperty }));
        Assert.False(byNamespace.Matches(new k8s.Models.V1ObjectMeta { Uid = meta.Uid, NamespaceProperty = "ns-008" }));
        Assert.True(byUid.Matches(new k8s.Models.V1ObjectMeta { Uid = meta.Uid, NamespaceProperty = "ns-008" }));
    }
}
