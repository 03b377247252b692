using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Testing.Server;

namespace StreamList.PublicApi.Tests;

/// <summary>
/// An informer that cannot sync says why: a wait that is cancelled or times out throws
/// <see cref="InformersNotSyncedException"/> naming every informer still unsynced and its last error.
/// </summary>
public class SyncFailureTests
{
    [Fact]
    public async Task A_cancelled_wait_names_the_informer_the_server_refuses_and_its_404()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 50 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var factory = new SharedInformerFactory(client);
        var pods = factory.GetInformer<V1Pod>();
        var nodes = factory.GetInformer<V1Namespace>(); // this fake server serves no namespaces
        factory.Start();

        using var cancel = new CancellationTokenSource();
        var wait = factory.WaitForCacheSyncAsync(cancel.Token);
        await Eventually.Until(() => pods.HasSynced && nodes.Statistics.Failures >= 1);
        await cancel.CancelAsync();

        var e = await Assert.ThrowsAsync<InformersNotSyncedException>(() => wait);
        var unsynced = Assert.Single(e.Informers);
        Assert.Equal("V1Namespace", unsynced.Name);
        Assert.Equal(404, Assert.IsAssignableFrom<KubernetesStatusException>(unsynced.LastError).Code);
        Assert.Contains("V1Namespace", e.Message, StringComparison.Ordinal);
        Assert.Contains("NotFound", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(e); // code that catches cancellation still does
    }

    [Fact]
    public async Task A_wait_with_a_timeout_throws_once_the_clock_passes_it()
    {
        var time = new FakeTimeProvider();
        var listWatch = new StreamList.Watching.ListWatch<V1Pod>(
            (request, progress, ct) => Fail<V1Pod>(new HttpRequestException("connection refused")),
            (request, ct) => Fail<StreamList.Watching.WatchEvent<V1Pod>>(new HttpRequestException("connection refused")));
        await using var informer = new Informer<V1Pod>(listWatch, new InformerOptions<V1Pod> { Time = time, RelistGate = new StreamList.Memory.RelistGate() }, "pods");
        informer.Start();
        var wait = informer.WaitForSyncAsync(TimeSpan.FromSeconds(30));
        await Eventually.Until(() => informer.Statistics.Failures >= 1);
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));

        var e = await Assert.ThrowsAsync<InformersNotSyncedException>(() => wait);
        var unsynced = Assert.Single(e.Informers);
        Assert.Equal(("pods", "connection refused"), (unsynced.Name, unsynced.LastError?.Message));
        Assert.True(unsynced.Failures >= 1);
    }

    [Fact]
    public async Task An_informer_stops_and_disposes_any_number_of_times()
    {
        var listWatch = new StreamList.Watching.ListWatch<V1Pod>(
            (request, progress, ct) => Fail<V1Pod>(new HttpRequestException("connection refused")),
            (request, ct) => Fail<StreamList.Watching.WatchEvent<V1Pod>>(new HttpRequestException("connection refused")));
        var informer = new Informer<V1Pod>(listWatch, new InformerOptions<V1Pod> { RelistGate = new StreamList.Memory.RelistGate() });
        informer.Start();
        await informer.DisposeAsync();
        await informer.DisposeAsync(); // a host disposes an informer it registered and the factory that made it
        await informer.StopAsync();
        Assert.False(await informer.WaitForSyncAsync());
    }

    private static async IAsyncEnumerable<T> Fail<T>(Exception error)
    {
        await Task.Yield();
        if (error is not null)
            throw error;
        yield break;
    }
}
