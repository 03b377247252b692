using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Testing.Server;
using StreamList.Watching;

namespace StreamList.PublicApi.Tests;

/// <summary>
/// List and watch functions written outside the library drive an informer exactly as the built-in
/// ones do: the list reports its items, metadata and completeness through <see cref="ListProgress"/>,
/// the informer watches from the reported resourceVersion, and decorators compose with the
/// built-in functions (paging included).
/// </summary>
public class OwnListWatchTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_hand_written_list_and_watch_sync_an_informer_that_watches_from_the_reported_version()
    {
        var events = Channel.CreateUnbounded<WatchEvent<V1Pod>>();
        var watchVersions = new List<string?>();
        var listWatch = new ListWatch<V1Pod>(
            (request, progress, ct) => ListAsync([Pod("a", "7"), Pod("b", "8")], "10", progress, ct),
            (request, ct) =>
            {
                lock (watchVersions)
                    watchVersions.Add(request.ResourceVersion);
                return events.Reader.ReadAllAsync(ct);
            });
        await using var informer = new Informer<V1Pod>(listWatch, new InformerOptions<V1Pod> { RelistGate = new RelistGate() });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(s_wait));
        Assert.Equal(["a", "b"], informer.Store.List().Select(p => p.Metadata.Name).Order());
        Assert.Equal("10", informer.LastSyncResourceVersion);

        await events.Writer.WriteAsync(new WatchEvent<V1Pod>(WatchEventKind.Added, Pod("c", "11")));
        await Eventually.Until(() => informer.LastSyncResourceVersion == "11");
        Assert.Equal(3, informer.Store.Count);
        lock (watchVersions)
            Assert.Equal("10", watchVersions[0]);
    }

    [Fact]
    public async Task A_list_function_that_never_reports_completion_does_not_sync_the_informer()
    {
        var listWatch = new ListWatch<V1Pod>(
            (request, progress, ct) => Items([Pod("a", "7")], progress, ct), // no metadata, no ReportComplete: a cut response
            (request, ct) => Never<WatchEvent<V1Pod>>(ct));
        await using var informer = new Informer<V1Pod>(listWatch, new InformerOptions<V1Pod>
        {
            RelistGate = new RelistGate(),
            Backoff = new Backoff { Initial = TimeSpan.FromMilliseconds(5), Cap = TimeSpan.FromMilliseconds(20) },
        });
        informer.Start();
        await Eventually.Until(() => informer.Statistics.Failures >= 2);
        Assert.False(informer.HasSynced);
        Assert.IsType<InvalidOperationException>(informer.Statistics.LastError);
        Assert.Equal(0, informer.Statistics.ListsCompleted);
    }

    [Fact]
    public async Task A_counting_filtering_decorator_around_the_built_in_functions_pages_and_syncs()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 600, Seed = 4 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var counter = new Counter();
        var listWatch = Where(client.CreateListWatch<V1Pod>(), p => p.Metadata.NamespaceProperty.EndsWith('7'), counter);
        await using var informer = new Informer<V1Pod>(listWatch, new InformerOptions<V1Pod> { PageSize = 100, InitialResourceVersion = "", RelistGate = new RelistGate() });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(s_wait));

        var expected = server.Population.Current.Enumerate().Select(s => s.Pod).Where(p => p.Metadata.NamespaceProperty.EndsWith('7')).ToList();
        Assert.Equal(KeysSha256.Compute(expected), KeysSha256.Compute(informer.Store.List()));
        Assert.Equal(600, counter.Seen); // every item went through the decorator, over six pages
        Assert.Equal(server.Population.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), informer.LastSyncResourceVersion);
        Assert.True(server.CountRequests(RequestKind.ContinueList) >= 5);

        // Changes arrive through the decorated watch.
        int slot = server.Population.Current.Enumerate().First(s => s.Pod.Metadata.NamespaceProperty.EndsWith('7')).Index;
        var change = server.Population.Modify(slot);
        await Eventually.Until(() => informer.Store.Get(ObjectKey.For(change.Pod.Metadata))?.Metadata.ResourceVersion == change.Pod.Metadata.ResourceVersion);
    }

    private sealed class Counter
    {
        private long _seen;

        public long Seen => Interlocked.Read(ref _seen);

        public void Add() => Interlocked.Increment(ref _seen);
    }

    /// <summary>A decorator as a user writes it: the progress goes through untouched, items are counted and filtered.</summary>
    private static ListWatch<T> Where<T>(ListWatch<T> inner, Func<T, bool> keep, Counter counter) => new(
        (request, progress, ct) => FilterAsync(inner.List(request, progress, ct), keep, counter, ct),
        (request, ct) => FilterEventsAsync(inner.Watch(request, ct), keep, ct));

    private static async IAsyncEnumerable<T> FilterAsync<T>(IAsyncEnumerable<T> items, Func<T, bool> keep, Counter counter, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in items.WithCancellation(ct))
        {
            counter.Add();
            if (keep(item))
                yield return item;
        }
    }

    private static async IAsyncEnumerable<WatchEvent<T>> FilterEventsAsync<T>(IAsyncEnumerable<WatchEvent<T>> events, Func<T, bool> keep, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in events.WithCancellation(ct))
        {
            if (e.Type == WatchEventKind.Bookmark || keep(e.Object))
                yield return e;
        }
    }

    private static async IAsyncEnumerable<V1Pod> ListAsync(V1Pod[] pods, string resourceVersion, ListProgress progress, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var pod in Items(pods, progress, ct))
            yield return pod;
        progress.ReportMetadata(new V1ListMeta { ResourceVersion = resourceVersion });
        progress.ReportComplete();
    }

    private static async IAsyncEnumerable<V1Pod> Items(V1Pod[] pods, ListProgress progress, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var pod in pods)
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            progress.ReportItem();
            yield return pod;
        }
    }

    private static async IAsyncEnumerable<TItem> Never<TItem>([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        yield break;
    }

    private static V1Pod Pod(string name, string resourceVersion) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name, ResourceVersion = resourceVersion },
    };
}
