using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Server;
using StreamList.Tests.Support;
using StreamList.Codec;

namespace StreamList.Tests.Integration;

/// <summary>The shared factory, metadata-only decoding, JSON custom types, metrics and the memory budget, end to end.</summary>
public class SharedInformerFactoryTests
{
    [Fact]
    public async Task One_informer_per_resource_many_handlers_start_stop_and_wait()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 400 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var factory = new SharedInformerFactory(client, new SharedInformerFactoryOptions { RelistGate = new RelistGate() });

        var all = factory.GetInformer<V1Pod>();
        Assert.Same(all, factory.GetInformer<V1Pod>());
        var ns = factory.GetInformer<V1Pod>("ns-007");
        Assert.NotSame(all, ns);
        int adds1 = 0, adds2 = 0;
        all.AddEventHandler(ResourceEventHandler<V1Pod>.From(onAdd: (_, _) => Interlocked.Increment(ref adds1)));
        var second = all.AddEventHandler(ResourceEventHandler<V1Pod>.From(onAdd: (_, _) => Interlocked.Increment(ref adds2)));

        factory.Start();
        await factory.WaitForCacheSyncAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(400, all.Store.Count);
        Assert.Equal(2, ns.Store.Count);
        await second.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(400, Volatile.Read(ref adds2));

        var late = factory.GetInformer<V1Pod>("ns-008"); // created after Start: starts at once
        await late.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, factory.Count);
        Assert.Equal(Enumerable.Range(0, 400).Count(i => i % 200 == 7), ns.Store.ByIndex(Indexes.Namespace, "ns-007").Count);

        await factory.StopAsync();
        Assert.Equal(400, Volatile.Read(ref adds1));
    }

    [Fact]
    public async Task Each_factory_has_its_own_relist_gate_and_a_stopped_factory_stops_waiting()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 50 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var blocked = new SharedInformerFactory(client);
        await using var free = new SharedInformerFactory(client);
        Assert.NotSame(blocked.RelistGate, free.RelistGate);

        // A relist of another informer holds the first factory's gate: its informer waits there,
        // sends nothing and counts no failure, while the second factory syncs.
        var held = await blocked.RelistGate.EnterAsync(CancellationToken.None);
        var waiting = blocked.GetInformer<V1Pod>();
        blocked.Start();
        var blockedSync = blocked.WaitForCacheSyncAsync();
        await FakeTime.Until(() => blocked.RelistGate.Waiting == 1);
        free.GetInformer<V1Pod>();
        free.Start();
        Assert.True(await free.WaitForCacheSyncAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, waiting.Statistics.Lists);
        Assert.False(blockedSync.IsCompleted);
        Assert.Equal(0, waiting.Statistics.Failures);

        // client-go's WaitForCacheSync returns false when its stop channel closes; so does this.
        await blocked.StopAsync();
        Assert.False(await blockedSync.WaitAsync(TimeSpan.FromSeconds(30)));
        held.Dispose();
    }

    [Fact]
    public async Task Metadata_only_decoding_keeps_names_and_labels_and_nothing_else()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 50 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var streaming = new StreamingOptions { Decode = DecodeOptions.Default with { MetadataOnly = true } };
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(options: streaming), new InformerOptions<V1Pod> { RelistGate = new RelistGate() });
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(server.GetState().KeysSha256, KeysSha256.Compute(informer.Store.List()));
        Assert.All(informer.Store.List(), p =>
        {
            Assert.Null(p.Spec);
            Assert.Null(p.Status);
            Assert.NotEmpty(p.Metadata.Labels);
        });

        // Watch events are metadata-only too.
        server.Population.Modify(3);
        await Until(() => informer.Store.List().Any(p => p.Metadata.ResourceVersion == server.GetState().ResourceVersion));
        Assert.All(informer.Store.List(), p => Assert.Null(p.Spec));
    }

    /// <summary>A user's own type, as for a custom resource: decoded from JSON by its JSON names.</summary>
    private sealed class PodName : IKubernetesObject<V1ObjectMeta>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = "";

        [JsonPropertyName("metadata")]
        public V1ObjectMeta Metadata { get; set; } = new();
    }

    [Fact]
    public async Task A_custom_type_lists_and_informs_over_json()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 120 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var pods = new ResourceDescriptor("", "v1", "pods");
        var names = new List<PodName>();
        await foreach (var item in client.ListStreamingAsync<PodName>(pods))
            names.Add(item);
        Assert.Equal(120, names.Count);
        Assert.Equal("application/json", server.Requests[^1].ContentType?.Split(';')[0]);

        await using var informer = new Informer<PodName>(client.CreateListWatch<PodName>(pods), new InformerOptions<PodName> { RelistGate = new RelistGate() });
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        server.Population.Modify(5);
        await Until(() => informer.Store.List().Any(p => p.Metadata.ResourceVersion == server.GetState().ResourceVersion));
        Assert.Equal(server.GetState().KeysSha256, KeysSha256.Compute(informer.Store.List()));
    }

    [Fact]
    public async Task Relists_watches_and_the_store_size_are_measured()
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == StreamListMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => { lock (seen) seen[i.Name] = seen.GetValueOrDefault(i.Name) + v; });
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => { lock (seen) seen[i.Name] = v; });
        listener.Start();

        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 30 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod> { RelistGate = new RelistGate() }, "metered-pods");
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        server.Population.Modify(1);
        await Until(() => { lock (seen) return seen.GetValueOrDefault("streamlist.watch.events") >= 1; });
        listener.RecordObservableInstruments();
        lock (seen)
        {
            Assert.True(seen["streamlist.relists"] >= 1);
            Assert.True(seen["streamlist.list.items"] >= 30);
            Assert.True(seen["streamlist.watch.starts"] >= 1);
            Assert.True(seen.ContainsKey("streamlist.store.objects"));
            Assert.True(seen.ContainsKey("streamlist.gc.heap_bytes"));
        }
    }

    [Fact]
    public void The_memory_budget_sets_the_gc_limit_and_reads_it_back()
    {
        long before = MemoryBudget.Read().LimitBytes;
        long budget = Math.Max(before, 8L << 30); // no tighter than what the test run has now
        MemoryBudget.Apply(budget);
        var reading = MemoryBudget.Read();
        Assert.InRange(reading.LimitBytes, budget - (64L << 20), budget + (64L << 20));
        Assert.True(reading.AllocatedBytes > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBudget.Apply(1024));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("timed out");
            await Task.Delay(20);
        }
    }
}
