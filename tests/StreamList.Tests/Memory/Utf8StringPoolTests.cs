using System.Text;
using StreamList.Memory;

namespace StreamList.Tests.Memory;

/// <summary>
/// The pool's contract: a value is shared from its second sighting on; a value seen once does not
/// displace a pooled one in its slot; only ASCII values are pooled; whatever the pool holds, every
/// lookup returns a string equal to its bytes, also under concurrent use.
/// </summary>
public class Utf8StringPoolTests
{
    private static string Get(Utf8StringPool pool, string value) => pool.Get(Encoding.UTF8.GetBytes(value));

    [Fact]
    public void A_value_is_shared_from_its_second_sighting()
    {
        var pool = new Utf8StringPool(capacity: 16);
        string first = Get(pool, "kube-system");
        string second = Get(pool, "kube-system");
        string third = Get(pool, "kube-system");
        Assert.Equal("kube-system", first);
        Assert.NotSame(first, second); // the first sighting only noted the hash
        Assert.Same(second, third);
        Assert.Equal(1, pool.Hits);
        Assert.Equal(2, pool.Misses);
    }

    [Fact]
    public void A_value_seen_once_does_not_displace_a_pooled_value_in_its_slot()
    {
        var pool = new Utf8StringPool(capacity: 16);
        string pooled = "app.kubernetes.io/name";
        string rival = CollidingValue(pooled, pool.Capacity);
        Get(pool, pooled);
        string shared = Get(pool, pooled);
        Assert.Equal(rival, Get(pool, rival)); // first sighting of a value in the same slot
        Assert.Same(shared, Get(pool, pooled));
        Assert.Equal(rival, Get(pool, rival)); // seen twice: it takes the slot
        Assert.Equal(pooled, Get(pool, pooled));
    }

    [Theory]
    [InlineData("zone-é")]
    [InlineData("名前")]
    [InlineData("\U0001F600")]
    public void Non_ascii_values_come_back_equal_and_are_never_pooled(string value)
    {
        var pool = new Utf8StringPool(capacity: 16);
        var results = Enumerable.Range(0, 4).Select(_ => Get(pool, value)).ToList();
        Assert.All(results, s => Assert.Equal(value, s));
        Assert.Equal(4, results.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    [Fact]
    public void Invalid_utf8_decodes_as_encoding_utf8_does()
    {
        var pool = new Utf8StringPool(capacity: 16);
        byte[] invalid = [0x61, 0x80, 0x62];
        for (int i = 0; i < 3; i++)
            Assert.Equal(Encoding.UTF8.GetString(invalid), pool.Get(invalid));
    }

    [Fact]
    public void Long_and_empty_values_bypass_the_pool()
    {
        var pool = new Utf8StringPool(capacity: 16, maxLength: 8);
        Assert.Same(string.Empty, pool.Get([]));
        string a = Get(pool, "longer-than-eight"), b = Get(pool, "longer-than-eight");
        Assert.Equal("longer-than-eight", b);
        Assert.NotSame(a, b);
    }

    [Fact]
    public void Concurrent_lookups_of_colliding_values_always_return_their_own_value()
    {
        var pool = new Utf8StringPool(capacity: 16);
        string[] values = Enumerable.Range(0, 64).Select(i => $"value-{i}").ToArray();
        byte[][] utf8 = values.Select(Encoding.UTF8.GetBytes).ToArray();
        Parallel.For(0, 4, worker =>
        {
            for (int n = 0; n < 50_000; n++)
            {
                int i = (n * 7 + worker) % values.Length;
                Assert.Equal(values[i], pool.Get(utf8[i]));
            }
        });
        Assert.True(pool.Hits > 0);
    }

    /// <summary>A different ASCII value whose hash lands in the same slot of a pool this size.</summary>
    private static string CollidingValue(string value, int capacity)
    {
        uint mask = (uint)capacity - 1;
        uint slot = ByteHash.Of(Encoding.UTF8.GetBytes(value)) & mask;
        for (int i = 0; ; i++)
        {
            string candidate = $"rival-{i}";
            if ((ByteHash.Of(Encoding.UTF8.GetBytes(candidate)) & mask) == slot)
                return candidate;
        }
    }
}
