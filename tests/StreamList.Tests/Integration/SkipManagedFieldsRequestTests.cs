using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Testing;
using StreamList.Testing.Server;
using StreamList.Tests.Support;
using StreamList.Watching;

namespace StreamList.Tests.Integration;

/// <summary>
/// <see cref="ListRequest.SkipManagedFields"/> end to end: the built-in list and watch honour it
/// over real HTTP, and an informer whose transform is <c>Transforms.DropManagedFields</c> asks
/// for it on every list and watch (and only then), in every store mode. Beside it,
/// <see cref="ListRequest.ShareParts"/>: asked for unless the transform is one of the user's own,
/// and then an Objects cache holds pods that share their repeated parts.
/// </summary>
public class SkipManagedFieldsRequestTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_built_in_list_and_watch_skip_them_when_the_request_asks()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 40 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });

        var kept = new List<V1Pod>();
        await foreach (var pod in client.ListStreamingAsync<V1Pod>())
            kept.Add(pod);
        Assert.All(kept, p => Assert.NotEmpty(p.Metadata.ManagedFields));

        var progress = new ListProgress();
        var skipped = new List<V1Pod>();
        await foreach (var pod in client.ListStreamingAsync<V1Pod>(request: new ListRequest { SkipManagedFields = true }, progress: progress))
            skipped.Add(pod);
        Assert.All(skipped, p => Assert.Null(p.Metadata.ManagedFields));
        Assert.Equal(KeysSha256.Compute(kept), KeysSha256.Compute(skipped));

        using var cancel = new CancellationTokenSource(s_wait);
        var request = new WatchRequest { ResourceVersion = progress.Metadata!.ResourceVersion, SkipManagedFields = true };
        await using var events = client.WatchStreamingAsync<V1Pod>(ResourceDescriptor.For<V1Pod>(), request, cancellationToken: cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        server.Population.Modify(3);
        server.Population.Modify(4);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(WatchEventKind.Modified, events.Current.Type);
            Assert.Null(events.Current.Object.Metadata.ManagedFields);
            Assert.NotNull(events.Current.Object.Spec);
        }
    }

    /// <summary>The built-in list/watch of a fake server, recording every request the informer sends.</summary>
    private sealed class Recording(ListWatch<V1Pod> inner)
    {
        public List<ListRequest> Lists { get; } = [];

        public List<WatchRequest> Watches { get; } = [];

        public ListWatch<V1Pod> ListWatch => new(List, Watch);

        private IAsyncEnumerable<V1Pod> List(ListRequest request, ListProgress progress, CancellationToken cancellationToken)
        {
            lock (Lists)
                Lists.Add(request);
            return inner.List(request, progress, cancellationToken);
        }

        private async IAsyncEnumerable<WatchEvent<V1Pod>> Watch(WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            lock (Watches)
                Watches.Add(request);
            await foreach (var e in inner.Watch(request, cancellationToken).ConfigureAwait(false))
                yield return e;
        }
    }

    public static TheoryData<StoreMode, bool, bool> Modes => new()
    {
        { StoreMode.Objects, true, false }, { StoreMode.Objects, false, false }, { StoreMode.Compact, true, false }, { StoreMode.Compact, false, false },
        { StoreMode.Compressed, true, false }, { StoreMode.Objects, true, true }, { StoreMode.Objects, false, true },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task An_informer_dropping_managedFields_asks_every_list_and_watch_to_skip_them(StoreMode mode, bool drop, bool watchList)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 60 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var recording = new Recording(client.CreateListWatch<V1Pod>());
        await using var informer = new Informer<V1Pod>(recording.ListWatch, new InformerOptions<V1Pod>
        {
            StoreMode = mode,
            UseWatchList = watchList,
            RelistGate = new RelistGate(),
            Transform = drop ? Transforms.DropManagedFields : null,
        });
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(s_wait);
        var change = server.Population.Modify(5);
        string key = $"{change.Pod.Metadata.NamespaceProperty}/{change.Pod.Metadata.Name}";
        string rv = change.Pod.Metadata.ResourceVersion;
        await FakeTime.Until(() => informer.Store.Get(key)?.Metadata.ResourceVersion == rv);

        Assert.Equal(server.GetState().KeysSha256, KeysSha256.Compute(informer.Store.List()));
        Assert.All(informer.Store.List(), p => Assert.Equal(drop, p.Metadata.ManagedFields is null));
        lock (recording.Lists)
        {
            Assert.Equal(watchList, recording.Lists.Count == 0);
            Assert.All(recording.Lists, r => Assert.Equal(drop, r.SkipManagedFields));
            Assert.All(recording.Lists, r => Assert.True(r.ShareParts));
        }
        lock (recording.Watches)
        {
            Assert.NotEmpty(recording.Watches);
            Assert.All(recording.Watches, r => Assert.Equal(drop, r.SkipManagedFields));
            Assert.All(recording.Watches, r => Assert.True(r.ShareParts));
        }
        var tolerations = informer.Store.List().Select(p => p.Spec.Tolerations[0]).ToList();
        Assert.True(tolerations.Distinct(ReferenceEqualityComparer.Instance).Count() < tolerations.Count, "no two pods share their first toleration");
        await informer.StopAsync();
    }

    [Fact]
    public async Task With_a_transform_of_ones_own_no_cached_pods_share_parts_even_when_the_client_would()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 60 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var sharing = new StreamingOptions { Decode = StreamList.Codec.DecodeOptions.Default with { ShareParts = true } };
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(options: sharing), new InformerOptions<V1Pod>
        {
            RelistGate = new RelistGate(),
            Transform = pod => pod,
        });
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(s_wait);
        var tolerations = informer.Store.List().Select(p => p.Spec.Tolerations[0]).ToList();
        Assert.Equal(60, tolerations.Distinct(ReferenceEqualityComparer.Instance).Count());
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_transform_of_ones_own_is_not_recognised_and_asks_for_nothing()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ScriptedListWatch.ListAnswer([], "100"));
        lw.NextWatch();
        var (informer, _, _) = ReflectorHarness.Create(lw, o => o with { Transform = p => Transforms.DropManagedFields(p) });
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(s_wait);
        await FakeTime.Until(() => lw.WatchRequests.Count == 1);
        Assert.False(lw.ListRequests.Single().SkipManagedFields);
        Assert.False(lw.WatchRequests.Single().SkipManagedFields);
        Assert.False(lw.ListRequests.Single().ShareParts); // the transform may change what it is given
        Assert.False(lw.WatchRequests.Single().ShareParts);
        await informer.StopAsync();
    }
}
