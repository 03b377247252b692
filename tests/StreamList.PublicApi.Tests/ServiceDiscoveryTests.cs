using k8s;
using k8s.Models;
using ServiceDiscovery;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Server;

namespace StreamList.PublicApi.Tests;

/// <summary>
/// The ServiceDiscovery sample's ready-address table over a real informer and the fake server's
/// EndpointSlices: scale-up, scale-down and readiness flaps are reported, resourceVersion bumps and
/// not-ready endpoints are not.
/// </summary>
public class ServiceDiscoveryTests
{
    [Fact]
    public async Task Only_changes_of_a_services_ready_set_are_reported()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1 });
        var slices = server.Collection<V1EndpointSlice>();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var informer = new Informer<V1EndpointSlice>(client.CreateListWatch<V1EndpointSlice>("shop"), new InformerOptions<V1EndpointSlice> { RelistGate = new RelistGate() });
        var table = new ReadyAddresses();
        var reported = new List<string>();
        table.Changed += (service, ready) =>
        {
            lock (reported)
                reported.Add($"{service}={string.Join(",", ready)}");
        };
        await using var registration = informer.AddEventHandler(table);
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync(TimeSpan.FromSeconds(60)));

        slices.Create(Slice("web-a", ("10.0.0.1", true), ("10.0.0.2", true)));
        slices.Update(Slice("web-a", ("10.0.0.1", true), ("10.0.0.2", true), ("10.0.0.3", true)));     // scale-up
        var bumped = slices.Get("shop", "web-a")!;
        bumped.Metadata.Annotations = new Dictionary<string, string> { ["touched"] = "yes" };
        slices.Update(bumped);                                                                        // a bump: same set
        slices.Update(Slice("web-a", ("10.0.0.1", true), ("10.0.0.2", true), ("10.0.0.3", true), ("10.0.0.9", false))); // not ready: same set
        slices.Update(Slice("web-a", ("10.0.0.1", true), ("10.0.0.2", true), ("10.0.0.3", false)));    // flap down
        slices.Update(Slice("web-a", ("10.0.0.1", true), ("10.0.0.2", true), ("10.0.0.3", true)));     // and up
        slices.Create(Slice("web-b", ("10.0.0.4", true)));                                            // a second slice
        slices.Delete("shop", "web-a");                                                               // scale-down
        slices.Delete("shop", "web-b");

        string[] expected =
        [
            "shop/web=10.0.0.1,10.0.0.2",
            "shop/web=10.0.0.1,10.0.0.2,10.0.0.3",
            "shop/web=10.0.0.1,10.0.0.2",
            "shop/web=10.0.0.1,10.0.0.2,10.0.0.3",
            "shop/web=10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4",
            "shop/web=10.0.0.4",
            "shop/web=",
        ];
        var guard = DateTime.UtcNow.AddSeconds(60);
        while (Count() < expected.Length && DateTime.UtcNow < guard)
            await Task.Delay(5);
        lock (reported)
            Assert.Equal(expected, reported);
        Assert.Empty(table.Snapshot());

        int Count()
        {
            lock (reported)
                return reported.Count;
        }
    }

    private static V1EndpointSlice Slice(string name, params (string Address, bool Ready)[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = "shop",
            Labels = new Dictionary<string, string> { [ReadyAddresses.ServiceNameLabel] = "web" },
        },
        AddressType = "IPv4",
        Endpoints = [.. endpoints.Select(e => new V1Endpoint { Addresses = [e.Address], Conditions = new V1EndpointConditions { Ready = e.Ready } })],
    };
}
