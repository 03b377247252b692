using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Server;

namespace StreamList.Tests.Integration;

/// <summary>
/// 150 informers, one per namespace, through ONE KubernetesClient client over cleartext HTTP/2:
/// their watches share a connection, and every one of them receives its events (no starved
/// stream), because each watch is drained as fast as it arrives, apart from handler work.
/// </summary>
public class ManyInformersOverHttp2Tests
{
    [Fact]
    public async Task Every_one_of_150_informers_receives_its_events()
    {
        const int informers = 150;
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 200 * 4, Seed = 3 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var streaming = new StreamingOptions { HttpVersion = System.Net.HttpVersion.Version20, HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var gate = new RelistGate(concurrency: 8);
        var updated = new ConcurrentDictionary<string, int>();
        var all = new List<Informer<V1Pod>>();
        try
        {
            for (int i = 0; i < informers; i++)
            {
                string ns = $"ns-{i:000}";
                var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(ns, streaming), new InformerOptions<V1Pod> { RelistGate = gate }, ns);
                informer.AddEventHandler(ResourceEventHandler<V1Pod>.From(onUpdate: (_, pod) => updated.AddOrUpdate(pod.Metadata.NamespaceProperty, 1, (_, n) => n + 1)));
                informer.Start();
                all.Add(informer);
            }
            await Task.WhenAll(all.Select(i => i.WaitForSyncAsync())).WaitAsync(TimeSpan.FromSeconds(120));
            Assert.All(all, i => Assert.Equal(4, i.Store.Count));
            await WaitUntil(() => server.WatcherCount >= informers, "every informer watching");

            // One change in each namespace: pod index i lives in ns-(i % 200).
            for (int i = 0; i < informers; i++)
                server.Population.Modify(i);
            await WaitUntil(() => updated.Count == informers, $"updates seen in {updated.Count} of {informers} namespaces");

            var connections = server.ActiveWatchers.Select(w => (w.Protocol, w.ConnectionId)).Distinct().ToList();
            Assert.All(connections, c => Assert.Equal("HTTP/2", c.Protocol));
            Assert.True(connections.Count <= 2, $"{connections.Count} connections for {informers} watches");
        }
        finally
        {
            await Task.WhenAll(all.Select(i => i.StopAsync()));
        }
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }
}
