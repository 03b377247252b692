using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Server;
using StreamList.Codec;

namespace StreamList.Tests.Integration;

/// <summary>
/// An informer against the fake API server through a sequence of injected faults (410 on list,
/// continue and watch; resets; truncation; 500s) with churn between them: after each, the cache
/// equals what the server holds (keysSha256), and a handler that mirrors the cache from its
/// notifications alone agrees with it (every change told once, in order).
/// </summary>
public class InformerFaultTests
{
    /// <summary>Rebuilds the cache from notifications; fails on an impossible sequence.</summary>
    private sealed class Mirror : IResourceEventHandler<V1Pod>
    {
        public readonly ConcurrentDictionary<string, string> Keys = new();
        public readonly ConcurrentQueue<string> Errors = new();

        private static string Key(V1Pod p) => ObjectKey.For(p.Metadata);

        public ValueTask OnAddAsync(V1Pod obj, bool isInInitialList, CancellationToken cancellationToken)
        {
            if (!Keys.TryAdd(Key(obj), obj.Metadata.ResourceVersion))
                Errors.Enqueue($"add of existing {Key(obj)}");
            return ValueTask.CompletedTask;
        }

        public ValueTask OnUpdateAsync(V1Pod oldObj, V1Pod newObj, CancellationToken cancellationToken)
        {
            if (!Keys.TryGetValue(Key(newObj), out var rv) || rv != oldObj.Metadata.ResourceVersion)
                Errors.Enqueue($"update of {Key(newObj)} from {oldObj.Metadata.ResourceVersion}, mirror has {rv ?? "nothing"}");
            Keys[Key(newObj)] = newObj.Metadata.ResourceVersion;
            return ValueTask.CompletedTask;
        }

        public ValueTask OnDeleteAsync(V1Pod obj, bool finalStateUnknown, CancellationToken cancellationToken)
        {
            if (!Keys.TryRemove(Key(obj), out _))
                Errors.Enqueue($"delete of missing {Key(obj)}");
            return ValueTask.CompletedTask;
        }

        public string Sha => KeysSha256.Compute(Keys.Select(kv =>
        {
            var (ns, name) = ObjectKey.Split(kv.Key);
            return (ns, name, (string?)kv.Value);
        }));
    }

    [Theory]
    [InlineData(StoreMode.Objects, false)]
    [InlineData(StoreMode.Compact, false)]
    [InlineData(StoreMode.Objects, true)]
    [InlineData(StoreMode.Compact, true)]
    public async Task After_every_fault_the_cache_equals_the_server(StoreMode store, bool watchList)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            Pods = 2000, Seed = 11, CompactionExpiresWatches = true, BookmarkInterval = TimeSpan.FromMilliseconds(200),
        });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var streaming = new StreamingOptions { Decode = new DecodeOptions { Strings = new Utf8StringPool() } };
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(options: streaming), new InformerOptions<V1Pod>
        {
            StoreMode = store,
            UseWatchList = watchList,
            PageSize = 300,
            RelistGate = new RelistGate(),
            Backoff = new Backoff { Initial = TimeSpan.FromMilliseconds(20), Cap = TimeSpan.FromMilliseconds(200) },
        });
        var mirror = new Mirror();
        await using var registration = informer.AddEventHandler(mirror);
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await Converged("initial sync");

        int round = 0;
        async Task Churn() => await Task.Run(() => server.ApplyChurn(3, ++round));

        // Watch events: modifications, deletions, creations.
        await Churn();
        await Converged("churn over the watch");

        // 410 on the open watch (compaction), then the relist's first list is 410 too: retry with "".
        server.Faults = FaultPlan.None with { ExpiredLists = 1 };
        await Churn();
        server.Compact();
        await Converged("410 on watch and on list");

        // A continue token expires mid-relist: full-list fallback.
        server.Faults = FaultPlan.None with { ExpiredContinues = 1 };
        await Churn();
        server.Compact();
        await Converged("410 on continue");

        // The relist body is cut mid-item, then a 500: both retried after backoff.
        server.Faults = FaultPlan.None with { TruncatedBodies = 1, TruncateAfterItems = 500, InternalErrors = 1 };
        await Churn();
        server.Compact();
        await Converged("truncated list and 500");

        // The next watch's connection resets after a few events: re-watch from the last RV, no relist.
        server.Faults = FaultPlan.None with { WatchResets = 1, WatchResetsAfterEvents = 5 };
        server.Compact(); // ends the open watch; the one after the relist takes the reset fault
        await Converged("relist before the reset");
        long relists = informer.Statistics.Relists, watches = informer.Statistics.WatchStarts;
        await Churn();
        await Converged("watch reset");
        if (!watchList)
            Assert.Equal(relists, informer.Statistics.Relists); // (a WatchList takes the reset during its initial events and re-syncs)
        Assert.True(informer.Statistics.WatchStarts > watches);

        Assert.True(informer.Statistics.Relists >= 3, $"relists {informer.Statistics.Relists}");
        Assert.True(mirror.Errors.IsEmpty, $"the mirror saw {mirror.Errors.Count} impossible notifications: {string.Join("; ", mirror.Errors.Take(10))}; " +
            $"informer's last error: {informer.Statistics.LastError}");

        async Task Converged(string step)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                string serverKeys = server.GetState().KeysSha256;
                string cache = KeysSha256.Compute(informer.Store.List());
                var f = server.Faults;
                // A WatchList informer relists through watches: list faults never meet a request.
                bool faultsTaken = (watchList ? 0 : f.ExpiredLists + f.ExpiredContinues + f.TruncatedBodies + f.InternalErrors) + f.WatchResets == 0;
                if (cache == serverKeys && mirror.Sha == serverKeys && faultsTaken)
                    return;
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"{step}: faults left {server.Faults}; cache {informer.Store.Count} objects, mirror {mirror.Keys.Count}, server {server.GetState().Count}; " +
                        $"errors: {string.Join("; ", mirror.Errors.Take(5))}; last error: {informer.Statistics.LastError?.Message}");
                await Task.Delay(50);
            }
        }
    }
}
