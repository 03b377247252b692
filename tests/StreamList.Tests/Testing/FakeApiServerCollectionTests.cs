using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing;
using StreamList.Testing.Server;
using StreamList.Tests.Support;
using StreamList.Watching;

namespace StreamList.Tests.Testing;

/// <summary>
/// Kinds beside pods: a collection per kind, served over HTTP as the apiserver serves a resource
/// (list, watch, get, create, replace with optimistic concurrency, delete), in protobuf and JSON,
/// to StreamList's informers and to KubernetesClient's own calls.
/// </summary>
public class FakeApiServerCollectionTests
{
    public static TheoryData<bool> ProtobufOrJson => new() { true, false };

    [Theory]
    [MemberData(nameof(ProtobufOrJson))]
    public async Task A_node_informer_syncs_and_follows_creates_updates_and_deletes(bool protobuf)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1 });
        var nodes = server.Collection<V1Node>();
        for (int i = 0; i < 3; i++)
            nodes.Create(Node($"node-{i}", "zone-a"));
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var streaming = new StreamingOptions { PreferProtobuf = protobuf };
        await using var informer = new Informer<V1Node>(client.CreateListWatch<V1Node>(options: streaming), new InformerOptions<V1Node> { RelistGate = new RelistGate() });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(["node-0", "node-1", "node-2"], informer.Store.ListKeys().Order());

        nodes.Create(Node("node-3", "zone-b"));
        var changed = nodes.Get(null, "node-1")!;
        changed.Metadata.Labels["zone"] = "zone-c";
        nodes.Update(changed);
        nodes.Delete(null, "node-0");
        await FakeTime.Until(() => KeysSha256.Compute(informer.Store.List()) == KeysSha256.Compute(nodes.List()));
        Assert.Equal("zone-c", informer.Store.Get("node-1")!.Metadata.Labels["zone"]);
        Assert.Equal(nodes.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), informer.LastSyncResourceVersion);
    }

    [Fact]
    public async Task Leases_are_created_read_replaced_with_optimistic_concurrency_and_deleted_through_KubernetesClient()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1 });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        server.Collection<V1Lease>();
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "member-a", Labels = new Dictionary<string, string> { ["group"] = "g1" } },
            Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15 },
        };
        var created = await client.CoordinationV1.CreateNamespacedLeaseAsync(lease, "ctl");
        Assert.Equal(("ctl", "a"), (created.Metadata.NamespaceProperty, created.Spec.HolderIdentity));
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.CreateNamespacedLeaseAsync(lease, "ctl"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);

        created.Spec.RenewTime = DateTime.UtcNow;
        var renewed = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "member-a", "ctl");
        Assert.NotEqual(created.Metadata.ResourceVersion, renewed.Metadata.ResourceVersion);
        // Another writer still holding the old version loses: 409, read again.
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "member-a", "ctl"));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        Assert.Equal(renewed.Metadata.ResourceVersion, (await client.CoordinationV1.ReadNamespacedLeaseAsync("member-a", "ctl")).Metadata.ResourceVersion);

        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "other", Labels = new Dictionary<string, string> { ["group"] = "g2" } } }, "ctl");
        var group = await client.CoordinationV1.ListNamespacedLeaseAsync("ctl", labelSelector: "group=g1");
        Assert.Equal(["member-a"], group.Items.Select(l => l.Metadata.Name));

        await client.CoordinationV1.DeleteNamespacedLeaseAsync("member-a", "ctl");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReadNamespacedLeaseAsync("member-a", "ctl"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(ProtobufOrJson))]
    public async Task A_watch_resumes_after_a_version_and_bookmarks_only_above_it(bool protobuf)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1, TimeProvider = time });
        var slices = server.Collection<V1EndpointSlice>();
        slices.Create(Slice("web-1", "web"));
        long from = slices.ResourceVersion;
        slices.Create(Slice("api-1", "api"));
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var streaming = new StreamingOptions { PreferProtobuf = protobuf };
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = new WatchRequest { ResourceVersion = from.ToString(System.Globalization.CultureInfo.InvariantCulture), AllowWatchBookmarks = true, LabelSelector = "kubernetes.io/service-name=api" };
        await using var events = client.WatchStreamingAsync<V1EndpointSlice>(ResourceDescriptor.For<V1EndpointSlice>("default"), request, streaming, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal((WatchEventKind.Added, "api-1"), (events.Current.Type, events.Current.Object.Metadata.Name));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(WatchEventKind.Bookmark, events.Current.Type);
        Assert.Equal(slices.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), events.Current.Object.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_bad_request_gets_a_400_Status_and_leaves_the_stored_objects_as_they_were()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1 });
        var nodes = server.Collection<V1Node>();
        nodes.Create(Node("node-0", "zone-a"));
        long before = nodes.ResourceVersion;
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        async Task<string> BadRequest(HttpRequestMessage request)
        {
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync());
            Assert.Equal(("Failure", 400), (status.Status, status.Code));
            return status.Message;
        }

        Assert.Contains("not a JSON object", await BadRequest(new HttpRequestMessage(HttpMethod.Post, "/api/v1/nodes") { Content = new StringContent("{\"metadata\": [") }), StringComparison.Ordinal);
        Assert.Contains("does not match the name on the URL", await BadRequest(new HttpRequestMessage(HttpMethod.Put, "/api/v1/nodes/node-0")
        {
            Content = new StringContent(KubernetesJson.Serialize(Node("node-9", "zone-x"))),
        }), StringComparison.Ordinal);
        Assert.Contains("invalid resource version", await BadRequest(new HttpRequestMessage(HttpMethod.Get, "/api/v1/nodes?resourceVersion=abc")), StringComparison.Ordinal);
        Assert.NotEmpty(await BadRequest(new HttpRequestMessage(HttpMethod.Get, "/api/v1/nodes?labelSelector=zone%20in%20(")));

        Assert.Equal(before, nodes.ResourceVersion);
        Assert.Equal(["node-0"], nodes.List().Select(n => n.Metadata.Name));
        Assert.Equal("zone-a", nodes.Get(null, "node-0")!.Metadata.Labels["zone"]);
    }

    private static V1Node Node(string name, string zone) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["zone"] = zone } },
        Spec = new V1NodeSpec { PodCIDR = "10.0.0.0/24" },
    };

    private static V1EndpointSlice Slice(string name, string service) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Endpoints = [new V1Endpoint { Addresses = ["10.1.0.1"], Conditions = new V1EndpointConditions { Ready = true } }],
    };
}
