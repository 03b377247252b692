using System.Globalization;
using k8s;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Testing.Fixture;
using StreamList.Testing.Server;
using StreamList.Watching;

namespace StreamList.Tests.Testing;

/// <summary>The population: lazy fixture plus overrides, ordered changes, immutable snapshots.</summary>
public class PodPopulationTests
{
    [Fact]
    public void Starts_as_the_fixture()
    {
        var population = new PodPopulation(seed: 3, count: 100);
        Assert.Equal(100, population.Count);
        Assert.Equal(PodFixture.FirstResourceVersion + 99, population.ResourceVersion);
        var slots = population.Current.Enumerate().ToList();
        Assert.Equal(Enumerable.Range(0, 100), slots.Select(s => s.Index));
        Assert.Equal(KubernetesJson.Serialize(PodFixture.Create(3, 42)), KubernetesJson.Serialize(population.Current.Get(42)!));
        Assert.Equal(100, population.Current.CountFrom(0));
        Assert.Equal(10, population.Current.CountFrom(90));
    }

    [Fact]
    public void Changes_get_increasing_versions_and_are_raised_in_order()
    {
        var population = new PodPopulation(seed: 3, count: 20);
        var seen = new List<PodChange>();
        population.Changed += seen.Add;
        long rv0 = population.ResourceVersion;

        var modified = population.Modify(4);
        var deleted = population.Delete(5);
        var created = population.Create();

        Assert.Equal([WatchEventKind.Modified, WatchEventKind.Deleted, WatchEventKind.Added], seen.Select(c => c.Type));
        Assert.Equal([rv0 + 1, rv0 + 2, rv0 + 3], seen.Select(c => c.ResourceVersion));
        Assert.All(seen, c => Assert.Equal(c.ResourceVersion.ToString(CultureInfo.InvariantCulture), c.Pod.Metadata.ResourceVersion));
        Assert.Equal(PodFixture.Create(3, 4).Metadata.Uid, modified.Pod.Metadata.Uid);
        Assert.Equal(PodFixture.Create(3, 5).Metadata.Uid, deleted.Pod.Metadata.Uid);
        Assert.Equal(20, created.Index);
        Assert.Equal(rv0 + 3, population.ResourceVersion);
        Assert.Equal(20, population.Count);
        Assert.Null(population.Current.Get(5));
        Assert.Same(modified.Pod, population.Current.Get(4));
        Assert.Throws<KeyNotFoundException>(() => population.Delete(5));
        Assert.Equal(15, population.Current.CountFrom(5)); // 5 deleted, 20 created
    }

    [Fact]
    public void Snapshots_do_not_see_later_changes_until_compacted()
    {
        var population = new PodPopulation(seed: 3, count: 50, retainedSnapshots: 4);
        var before = population.Current;
        string keysBefore = KeysSha256.Compute(before.Enumerate().Select(s => s.Pod));

        population.ApplyChurn(20, round: 1);

        Assert.Equal(keysBefore, KeysSha256.Compute(before.Enumerate().Select(s => s.Pod)));
        Assert.True(population.TryGetSnapshot(before.ResourceVersion, out var again));
        Assert.Same(before, again);
        population.Compact();
        Assert.False(population.TryGetSnapshot(before.ResourceVersion, out _));
        Assert.True(population.TryGetSnapshot(population.ResourceVersion, out _));
    }

    [Fact]
    public void Churn_modifies_deletes_and_creates_per_spec_deterministically()
    {
        string Run(out ChurnResult result)
        {
            var population = new PodPopulation(seed: 11, count: 1_000);
            var uids = population.Current.Enumerate().Select(s => s.Pod.Metadata.Uid).ToHashSet();
            result = population.ApplyChurn(5, round: 1);
            var after = population.Current.Enumerate().Select(s => s.Pod).ToList();
            Assert.Equal(1_000, after.Count);
            Assert.Equal(result.Created, after.Count(p => !uids.Contains(p.Metadata.Uid)));
            Assert.Equal(result.Modified, after.Count(p => uids.Contains(p.Metadata.Uid) && long.Parse(p.Metadata.ResourceVersion, CultureInfo.InvariantCulture) > PodFixture.FirstResourceVersion + 999));
            return KeysSha256.Compute(after);
        }

        string first = Run(out var r1);
        string second = Run(out _);
        Assert.Equal((50, 5, 5), (r1.Modified, r1.Deleted, r1.Created));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Measured_lengths_match_the_encoding()
    {
        var population = new PodPopulation(seed: 3, count: 64);
        population.MeasureAll();
        var w = new System.Buffers.ArrayBufferWriter<byte>();
        for (int i = 0; i < 64; i++)
            Assert.Equal(StreamList.Codec.ListEncoding.EncodeMessage(PodFixture.Create(3, i)).Length, population.Current.MessageLength(i, w));
    }
}
