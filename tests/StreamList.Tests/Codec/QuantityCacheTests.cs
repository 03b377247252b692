using System.Text;
using k8s.Models;
using StreamList.Codec;
using StreamList.Memory;

namespace StreamList.Tests.Codec;

/// <summary>
/// The quantity cache is two-way: two quantities whose text hashes to the same bucket both stay
/// cached (direct-mapped, they evicted each other on every pod that held both).
/// </summary>
public class QuantityCacheTests
{
    [Fact]
    public void Two_quantities_in_one_bucket_both_stay_cached()
    {
        var (a, b) = CollidingPair();
        var qa = Cache(a);
        var qb = Cache(b);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(QuantityCache.TryGet(a, out var hitA, out _));
            Assert.True(QuantityCache.TryGet(b, out var hitB, out _));
            Assert.Same(qa, hitA);
            Assert.Same(qb, hitB);
        }
    }

    [Fact]
    public void Text_longer_than_the_cache_keeps_is_never_cached()
    {
        byte[] text = Encoding.ASCII.GetBytes(new string('9', 65));
        Assert.False(QuantityCache.TryGet(text, out _, out int bucket));
        Assert.Equal(-1, bucket);
    }

    private static ResourceQuantity Cache(byte[] text)
    {
        Assert.False(QuantityCache.TryGet(text, out _, out int bucket));
        var quantity = new ResourceQuantity(Encoding.ASCII.GetString(text));
        QuantityCache.Add(bucket, text, quantity);
        return quantity;
    }

    /// <summary>Two quantity texts no other test uses whose hashes share a bucket of the 2,048-slot cache.</summary>
    private static (byte[] A, byte[] B) CollidingPair()
    {
        var seen = new Dictionary<uint, byte[]>();
        for (int n = 7_000_001; ; n++)
        {
            byte[] text = Encoding.ASCII.GetBytes($"{n}Ki");
            uint bucket = ByteHash.Of(text) % 1024;
            if (seen.TryGetValue(bucket, out var other))
                return (other, text);
            seen[bucket] = text;
        }
    }
}
