using k8s;
using k8s.Models;
using StreamList.Diagnostics;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Server;
using StreamList.Tests.Support;
using Xunit.Abstractions;

namespace StreamList.Tests.Testing;

public class FakeApiServerWatchDebugTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(true, 3)]
    [InlineData(false, 4)]
    [InlineData(false, 5)]
    public async Task Debug_informer(bool useWatchList, int run)
    {
        _ = run;
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 300, WatchHistorySize = 200 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod>
        {
            UseWatchList = useWatchList,
            RelistGate = new RelistGate(),
        });
        informer.Start();
        await informer.WaitForSyncAsync();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        server.StartStorm(1000, TimeSpan.FromMilliseconds(200));
        var lastEvents = 0L;
        for (int i = 0; i < 16; i++)
        {
            await Task.Delay(50);
            output.WriteLine($"{sw.ElapsedMilliseconds} ms: storm {server.StormEvents}, informer events {informer.Statistics.Events} (+{informer.Statistics.Events - lastEvents}), slow closed {server.SlowWatchersClosed}, watchers {server.WatcherCount}, rv {server.Population.ResourceVersion} informer {informer.LastSyncResourceVersion}");
            lastEvents = informer.Statistics.Events;
        }
        await server.StopStorm();
        foreach (var r in server.Requests)
            output.WriteLine($"{r.Number} {r.Protocol} {r.Path}{r.Query} {r.StatusCode}");
        Assert.Equal(0, server.SlowWatchersClosed);
    }
}
