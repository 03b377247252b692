using k8s;
using k8s.Models;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Sharding;
using StreamList.Testing.Server;
using StreamList.Tests.Support;

namespace StreamList.Tests.Integration;

/// <summary>
/// Informers with KEP-5866 shard selectors against the fake server, which applies the selector and
/// echoes it in <c>shardInfo</c>, or ignores it as a server without the feature does: either way
/// complementary shards hold disjoint keys whose union is every pod, through churn; only the
/// counts of what the informers filtered themselves differ.
/// </summary>
public class ShardedInformerTests
{
    public static TheoryData<bool, bool> ServerIgnoresAndWatchList => new() { { false, false }, { true, false }, { false, true }, { true, true } };

    [Theory]
    [MemberData(nameof(ServerIgnoresAndWatchList))]
    public async Task Complementary_static_shards_hold_disjoint_keys_whose_union_is_every_pod(bool serverIgnores, bool watchList)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1200, Seed = 4, IgnoreShardSelector = serverIgnores });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var shards = Enumerable.Range(0, 3).Select(i => ShardSelector.Of(i, 3)).ToArray();
        var informers = shards.Select(s => new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod>
        {
            ShardSelector = s,
            UseWatchList = watchList,
            RelistGate = new RelistGate(),
        })).ToArray();
        try
        {
            foreach (var informer in informers)
                informer.Start();
            foreach (var informer in informers)
                Assert.True(await informer.WaitForSyncAsync(TimeSpan.FromSeconds(60)));
            await UntilEachHoldsItsShard(server, informers);

            server.Population.ApplyChurn(10, 1);
            await UntilEachHoldsItsShard(server, informers);

            var held = informers.SelectMany(i => i.Store.ListKeys()).ToList();
            Assert.Equal(held.Count, held.Distinct().Count());
            Assert.Equal(server.Population.Count, held.Count);
            long filtered = informers.Sum(i => i.Statistics.ShardFiltered);
            if (serverIgnores)
                Assert.True(filtered >= 2 * 1200, $"filtered {filtered}: each informer drops the other shards' items");
            else
                Assert.Equal(0, filtered);
            Assert.All(server.Requests.Where(r => r.Path.EndsWith("/pods", StringComparison.Ordinal)),
                r => Assert.Contains("shardSelector=shardRange", Uri.UnescapeDataString(r.Query), StringComparison.Ordinal));
        }
        finally
        {
            foreach (var informer in informers)
                await informer.DisposeAsync();
        }
    }

    [Fact]
    public async Task Changing_the_shard_drops_what_left_at_once_relists_only_to_widen_and_decodes_only_what_entered()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 900, Seed = 6 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod> { ShardSelector = ShardSelector.Of(0, 2) });
        var handler = new RecordingHandler();
        informer.AddEventHandler(handler);
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync(TimeSpan.FromSeconds(60)));
        var before = informer.Store.ListKeys().ToHashSet();

        // Widen to everything: nothing is deleted; the relist decodes only the other half.
        informer.ChangeShardSelector(null);
        await FakeTime.Until(() => informer.Statistics.ListsCompleted == 2, 60_000);
        Assert.Equal(server.Population.Count, informer.Store.Count);
        Assert.Equal(before.Count, informer.Statistics.ItemsUnchanged);

        // Narrow to a third: what left is gone when the call returns, with a delete queued for each;
        // the watch resumes with the new selector, without a relist.
        var third = ShardSelector.Of(2, 3);
        int deletesBefore = handler.Lines.Count(l => l.StartsWith("delete", StringComparison.Ordinal));
        long watchesBefore = informer.Statistics.WatchStarts;
        informer.ChangeShardSelector(third);
        var kept = informer.Store.List();
        Assert.All(kept, p => Assert.True(third.Matches(p.Metadata)));
        Assert.Equal(PodsIn(server, third).Count, kept.Count);
        int left = server.Population.Count - kept.Count;
        await FakeTime.Until(() => handler.Lines.Count(l => l.StartsWith("delete", StringComparison.Ordinal)) == deletesBefore + left);
        Assert.Equal(third, informer.ShardSelector);
        server.Population.ApplyChurn(20, 1);
        await UntilEachHoldsItsShard(server, [informer]); // the shard in force is `third`
        Assert.Equal(2, informer.Statistics.ListsCompleted);
        Assert.True(informer.Statistics.WatchStarts > watchesBefore, "the watch was restarted with the new selector");
    }

    private static Dictionary<string, string> PodsIn(FakeApiServer server, ShardSelector? shard) =>
        server.Population.Current.Enumerate()
            .Where(s => shard is null || shard.Matches(s.Pod.Metadata))
            .ToDictionary(s => ObjectKey.For(s.Pod.Metadata), s => s.Pod.Metadata.ResourceVersion ?? "");

    /// <summary>Waits until every informer holds exactly its shard of the server's pods, at their resourceVersions.</summary>
    private static Task UntilEachHoldsItsShard(FakeApiServer server, Informer<V1Pod>[] informers) =>
        FakeTime.Until(() => informers.All(i =>
        {
            var expected = PodsIn(server, i.ShardSelector);
            var held = i.Store.List();
            return held.Count == expected.Count
                && held.All(p => expected.TryGetValue(ObjectKey.For(p.Metadata), out var rv) && rv == (p.Metadata.ResourceVersion ?? ""));
        }), 60_000);
}
