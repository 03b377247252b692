using k8s.Models;
using StreamList.Memory;
using StreamList.Codec;

namespace StreamList.Tests.Codec;

/// <summary>
/// The saving interning buys: with one <see cref="Utf8StringPool"/> shared across decodes, values
/// that repeat across a cluster come back as the same string instance; without a pool each decode
/// has its own copies. Values unique to an object (name, uid) are never pooled.
/// </summary>
public class InterningTests
{
    private static V1Pod DecodePod(DecodeOptions? options) => KubernetesProtobuf.Decode<V1Pod>(Fixtures.Protobuf("core.v1.Pod"), options);

    private static IEnumerable<(string What, string A, string B)> RepeatedValues(V1Pod a, V1Pod b)
    {
        yield return ("namespace", a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty);
        yield return ("label key", a.Metadata.Labels.Keys.Single(), b.Metadata.Labels.Keys.Single());
        yield return ("label value", a.Metadata.Labels.Values.Single(), b.Metadata.Labels.Values.Single());
        yield return ("container image", a.Spec.Containers[0].Image, b.Spec.Containers[0].Image);
    }

    [Fact]
    public void Shared_pool_returns_the_same_instances_for_repeated_values()
    {
        var options = new DecodeOptions { Strings = new Utf8StringPool() };
        DecodePod(options); // first sighting: the pool only notes each value's hash (its doorkeeper)
        var a = DecodePod(options);
        var b = DecodePod(options);
        foreach (var (what, x, y) in RepeatedValues(a, b))
        {
            Assert.False(string.IsNullOrEmpty(x), what);
            Assert.True(ReferenceEquals(x, y), $"{what} '{x}' is not shared");
        }
        // Parsed quantities are shared too (ResourceQuantity is immutable).
        Assert.Same(a.Spec.Containers[0].Resources.Limits.Values.First(), b.Spec.Containers[0].Resources.Limits.Values.First());
        // Unique per object: never pooled.
        Assert.Equal(a.Metadata.Name, b.Metadata.Name);
        Assert.NotSame(a.Metadata.Name, b.Metadata.Name);
        Assert.NotSame(a.Metadata.Uid, b.Metadata.Uid);
    }

    [Fact]
    public void Without_a_pool_each_decode_has_its_own_instances()
    {
        var a = DecodePod(DecodeOptions.NoInterning);
        var b = DecodePod(DecodeOptions.NoInterning);
        foreach (var (what, x, y) in RepeatedValues(a, b))
        {
            Assert.Equal(x, y);
            Assert.False(ReferenceEquals(x, y), $"{what} '{x}' is shared without a pool");
        }
    }
}
