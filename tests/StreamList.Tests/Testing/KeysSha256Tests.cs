using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Testing.Fixture;

namespace StreamList.Tests.Testing;

/// <summary>keysSha256 is the SHA-256 of the ordinally sorted "namespace/name rv" lines.</summary>
public class KeysSha256Tests
{
    [Fact]
    public void Hashes_the_sorted_lines()
    {
        string expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("a/x 1\nb/y 22\nnode-1 7\n")));
        Assert.Equal(expected, KeysSha256.Compute([("b", "y", "22"), (null, "node-1", "7"), ("a", "x", "1")]));
        Assert.Equal(expected, KeysSha256.Compute([("a", "x", "1"), ("", "node-1", "7"), ("b", "y", "22")]));
    }

    [Fact]
    public void Sorts_by_utf8_bytes()
    {
        // U+FF21 sorts before U+1F600 in UTF-8 (EF.. < F0..) but after it in UTF-16 (FF21 > D83D).
        string expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("\uFF21 1\n\U0001F600 1\n")));
        Assert.Equal(expected, KeysSha256.Compute([(null, "\U0001F600", "1"), (null, "\uFF21", "1")]));
    }

    [Fact]
    public void Empty_store_hashes_nothing() =>
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([])), KeysSha256.Compute(Array.Empty<V1ObjectMeta>()));

    [Fact]
    public void Objects_metadata_and_tuples_agree_and_resource_versions_count()
    {
        var pods = Enumerable.Range(0, 300).Select(i => PodFixture.Create(7, i)).ToList();
        string byPods = KeysSha256.Compute(pods);
        Assert.Equal(byPods, KeysSha256.Compute(pods.Select(p => p.Metadata)));
        Assert.Equal(byPods, KeysSha256.Compute(pods.Select(p => ((string?)p.Metadata.NamespaceProperty, p.Metadata.Name, (string?)p.Metadata.ResourceVersion))));
        Assert.Equal(byPods, KeysSha256.Compute(Enumerable.Reverse(pods)));

        pods[5] = PodFixture.Modify(pods[5], 5_000_000);
        Assert.NotEqual(byPods, KeysSha256.Compute(pods));
    }
}
