using System.Collections.Concurrent;
using System.Net.Http.Headers;
using k8s;
using k8s.Models;
using StreamList.Codec;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing;
using StreamList.Testing.Server;
using StreamList.Tests.Support;

namespace StreamList.Tests.Integration;

/// <summary>
/// A compact informer against the fake server holds every pod as the bytes the server sent for it
/// (its list item, or the object of its last watch event), trimmed by a built-in transform on the
/// wire form, and reads back what an Objects informer over the same server holds; its handlers get
/// each changed object decoded once and shared.
/// </summary>
public class CompactFromWireTests
{
    public static TheoryData<StoreMode, bool, bool> ModeWatchListAndDropManagedFields => new()
    {
        { StoreMode.Compact, false, false }, { StoreMode.Compact, true, false }, { StoreMode.Compact, false, true },
        { StoreMode.Compressed, false, false }, { StoreMode.Compressed, true, true },
    };

    private const int Pods = 1200; // more than the 1,000 a compressed store trains its dictionary from

    [Theory]
    [MemberData(nameof(ModeWatchListAndDropManagedFields))]
    public async Task A_compact_informer_holds_each_pod_as_the_servers_wire_bytes_and_reads_as_the_object_path(StoreMode mode, bool watchList, bool dropManagedFields)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = Pods, Seed = 21 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        Func<V1Pod, V1Pod>? transform = dropManagedFields ? Transforms.DropManagedFields : null;
        InformerOptions<V1Pod> Options(StoreMode mode) => new() { StoreMode = mode, UseWatchList = watchList, Transform = transform, RelistGate = new RelistGate() };
        await using var objects = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), Options(StoreMode.Objects));
        await using var compact = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), Options(mode));
        var first = new LastUpdate();
        var second = new LastUpdate();
        compact.AddEventHandler(first);
        compact.AddEventHandler(second);
        objects.Start();
        compact.Start();
        Assert.True(await objects.WaitForSyncAsync(TimeSpan.FromSeconds(60)));
        Assert.True(await compact.WaitForSyncAsync(TimeSpan.FromSeconds(60)));

        var churn = server.ApplyChurn(5, 1);
        Assert.True(churn.Modified > 0);
        await FakeTime.Until(() => new[] { objects, compact }.All(i => KeysSha256.Compute(i.Store.List()) == server.GetState().KeysSha256), 60_000);
        await FakeTime.Until(() => first.Count == second.Count && first.Count >= churn.Modified, 60_000);

        // Every payload is the server's item bytes for that pod (managedFields dropped on the wire when asked).
        var wire = await ListItemsOnTheWire(server);
        var store = (InformerStore<V1Pod>)compact.Store;
        var payloads = store.SnapshotPayloads().Select(Payloads.Plain).ToList();
        Assert.Equal(wire.Count, payloads.Count);
        foreach (var payload in payloads)
        {
            string key = KeyOf(payload);
            var expected = dropManagedFields ? WireMessage.Rewrite(wire[key], [1], f => f.Where(x => x.Number != 17).ToList()) : wire[key];
            Assert.True(expected.AsSpan().SequenceEqual(payload), $"{key}: the stored bytes are not the wire's");

            var fromObjects = objects.Store.Get(key)!;
            var fromCompact = compact.Store.Get(key)!;
            fromCompact.ApiVersion = fromObjects.ApiVersion; // list items carry no TypeMeta; a compact read sets the registry's
            fromCompact.Kind = fromObjects.Kind;
            Assert.Equal(KubernetesJson.Serialize(fromObjects), KubernetesJson.Serialize(fromCompact));
        }
        Assert.Equal(0, compact.Statistics.ObjectsSkipped);
        Assert.Equal(Pods + churn.Modified + churn.Created, compact.Statistics.StoredFromWire); // nothing was decoded to be stored
        Assert.Equal(0, objects.Statistics.StoredFromWire);

        if (mode == StoreMode.Compressed)
        {
            // The first 1,000 objects trained the dictionary and stay as they came; every later one is compressed.
            Assert.Equal(1, store.CompressionTrainings);
            var packed = store.SnapshotPayloads().OfType<CompressedMessage>().ToList();
            Assert.True(packed.Count >= Pods - 1000, $"{packed.Count} compressed");
            long held = packed.Sum(p => (long)p.Data.Length), wireBytes = packed.Sum(p => (long)p.OriginalLength);
            Assert.True(held * 4 < wireBytes, $"{held} bytes held for {wireBytes} on the wire");
        }

        // Each update was decoded once for both handlers: they received the same instance.
        foreach (var (key, obj) in first.Updates)
            Assert.Same(obj, second.Updates[key]);
    }

    [Fact]
    public async Task A_transform_of_ones_own_needs_the_object_so_the_compact_store_decodes_and_re_encodes()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 50, Seed = 22 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var compact = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod>
        {
            StoreMode = StoreMode.Compact,
            Transform = pod =>
            {
                pod.Metadata.Labels = new Dictionary<string, string> { ["seen"] = "yes" };
                return pod;
            },
        });
        compact.Start();
        Assert.True(await compact.WaitForSyncAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, compact.Statistics.StoredFromWire);
        Assert.All(compact.Store.List(), p => Assert.Equal("yes", p.Metadata.Labels["seen"]));
    }

    private static string KeyOf(byte[] message) =>
        ItemIdentity.TryPeek(message, out var id, out _) ? ObjectKey.For(id.Namespace, id.Name) : throw new InvalidOperationException("no metadata");

    /// <summary>The server's current pod list as sent in protobuf: each item's message bytes by key.</summary>
    private static async Task<Dictionary<string, byte[]>> ListItemsOnTheWire(FakeApiServer server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/pods");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.kubernetes.protobuf"));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var list = ProtoBytes.Open(await response.Content.ReadAsByteArrayAsync()).Raw;
        return WireMessage.Parse(list).Where(f => f.Number == 2).ToDictionary(f => KeyOf(f.Payload), f => f.Payload);
    }

    private sealed class LastUpdate : IResourceEventHandler<V1Pod>
    {
        private int _count;

        public ConcurrentDictionary<string, V1Pod> Updates { get; } = new();

        public int Count => Volatile.Read(ref _count);

        public ValueTask OnAddAsync(V1Pod obj, bool isInInitialList, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnUpdateAsync(V1Pod oldObj, V1Pod newObj, CancellationToken cancellationToken)
        {
            Updates[ObjectKey.For(newObj.Metadata)] = newObj;
            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }

        public ValueTask OnDeleteAsync(V1Pod obj, bool finalStateUnknown, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
