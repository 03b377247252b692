using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using StreamList.Http;
using StreamList.Testing.Server;
using StreamList.Tests.Support;
using StreamList.Watching;
using StreamList.Codec;

namespace StreamList.Tests.Testing;

/// <summary>
/// The fake server is as strict as the apiserver where a client can tell: which reads are exact
/// (etcd) and which come from the watch cache, what a resourceVersion from the future gets, and what
/// an etcd restore looks like. Every request is counted by kind.
/// </summary>
public class FakeApiServerStrictnessTests
{
    private const string Pods = "/api/v1/pods";

    [Fact]
    public async Task Each_list_and_watch_is_counted_by_where_the_apiserver_serves_it()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 20 });
        using var client = ApiClient.For(server);
        long rv = server.Population.ResourceVersion;
        var cases = new (string Query, RequestKind Kind)[]
        {
            ("?resourceVersion=0", RequestKind.CacheList),
            ("?resourceVersion=0&limit=5", RequestKind.CacheList),
            ($"?resourceVersion={rv}", RequestKind.CacheList),
            ($"?resourceVersion={rv}&resourceVersionMatch=NotOlderThan&limit=5", RequestKind.CacheList),
            ("", RequestKind.ConsistentList),
            ("?limit=5", RequestKind.ConsistentList),
            ($"?resourceVersion={rv}&limit=5", RequestKind.ExactList),
            ($"?resourceVersion={rv}&resourceVersionMatch=Exact", RequestKind.ExactList),
            ($"?resourceVersion={rv}&watch=true&timeoutSeconds=1", RequestKind.Watch),
        };
        foreach (var (query, kind) in cases)
        {
            long before = server.CountRequests(kind);
            if (kind == RequestKind.Watch)
                _ = client.GetAsync(Pods + query); // stays open
            else
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Pods + query)).Status);
            await FakeTime.Until(() => server.CountRequests(kind) == before + 1);
        }

        var page = KubernetesProtobuf.Decode<V1PodList>((await client.GetAsync(Pods + "?limit=5")).Body);
        await client.GetAsync(Pods + "?limit=5&continue=" + Uri.EscapeDataString(page.Metadata.ContinueProperty));
        Assert.Equal(1, server.CountRequests(RequestKind.ContinueList));

        // A bad query is refused before it reaches any store: not counted.
        long all = Enum.GetValues<RequestKind>().Sum(server.CountRequests);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(Pods + "?resourceVersion=abc")).Status);
        Assert.Equal(all, Enum.GetValues<RequestKind>().Sum(server.CountRequests));
    }

    [Fact]
    public async Task A_numeric_resource_version_with_a_limit_is_an_exact_read_that_expires_with_compaction()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 30 });
        using var client = ApiClient.For(server);
        long old = server.Population.ResourceVersion;
        server.Population.Modify(3);
        long now = server.Population.ResourceVersion;

        // Exact: the state at that version, not the newest one (the lax server answered the newest).
        var exact = List(await client.GetAsync(Pods + $"?resourceVersion={old}&limit=100"));
        Assert.Equal(Rv(old), exact.Metadata.ResourceVersion);
        Assert.Equal(Rv(old - 30 + 4), exact.Items[3].Metadata.ResourceVersion);
        // NotOlderThan (no limit, or the explicit match): the watch cache's newest state.
        Assert.Equal(Rv(now), List(await client.GetAsync(Pods + $"?resourceVersion={old}")).Metadata.ResourceVersion);
        Assert.Equal(Rv(now), List(await client.GetAsync(Pods + $"?resourceVersion={old}&resourceVersionMatch=NotOlderThan&limit=100")).Metadata.ResourceVersion);

        server.Compact();
        var expired = await client.GetAsync(Pods + $"?resourceVersion={old}&limit=100");
        Assert.Equal(HttpStatusCode.Gone, expired.Status);
        Assert.Equal("Expired", Status(expired).Reason);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Pods + $"?resourceVersion={old}")).Status); // the cache still serves it
        Assert.Equal(2, server.CountRequests(RequestKind.ExactList));

    }

    [Fact]
    public async Task An_exact_read_inside_a_churn_batch_gets_the_state_before_the_batch_not_a_410()
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 40, TimeProvider = time });
        using var client = ApiClient.For(server);
        long before = server.Population.ResourceVersion;
        server.ApplyChurn(10, 1); // 4 changes, one snapshot
        long after = server.Population.ResourceVersion;
        Assert.Equal(before + 4, after);

        // A watch cut in the middle of the batch relists at before + 2: the batch's changes come again on the next watch.
        var inside = List(await client.GetAsync(Pods + $"?resourceVersion={before + 2}&limit=100"));
        Assert.Equal(Rv(before), inside.Metadata.ResourceVersion);
        Assert.Equal(Rv(after), List(await client.GetAsync(Pods + $"?resourceVersion={after}&limit=100")).Metadata.ResourceVersion);

        // A future version is waited for as the watch cache waits, then refused.
        var future = client.GetAsync(Pods + $"?resourceVersion={after + 5}&limit=100");
        await time.AdvanceUntil(() => future.IsCompleted, TimeSpan.FromMilliseconds(500));
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await future).Status);
        Assert.IsType<ResourceVersionTooLargeException>(KubernetesStatusException.From(Status(await future)));
    }

    [Fact]
    public async Task A_cache_read_at_a_future_version_waits_for_it_then_gets_504_with_the_TooLarge_cause()
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 10, TimeProvider = time });
        using var client = ApiClient.For(server);
        long rv = server.Population.ResourceVersion;

        // The version arrives within the wait: served.
        var arrives = client.GetAsync(Pods + $"?resourceVersion={rv + 1}");
        await FakeTime.Until(() => server.CountRequests(RequestKind.CacheList) == 1);
        Assert.False(arrives.IsCompleted);
        server.Population.Modify(0);
        Assert.Equal(Rv(rv + 1), List(await arrives).Metadata.ResourceVersion);

        // It does not: 504 once 3 s of the server's clock have passed, not before.
        var never = client.GetAsync(Pods + $"?resourceVersion={rv + 50}", ApiClient.Json);
        await FakeTime.Until(() => server.CountRequests(RequestKind.CacheList) == 2);
        time.Advance(TimeSpan.FromSeconds(2.9));
        server.Population.Modify(1); // a change that is not enough wakes the wait, which goes on
        Assert.False(never.IsCompleted);
        await time.AdvanceUntil(() => never.IsCompleted, TimeSpan.FromMilliseconds(100));
        var reply = await never;
        Assert.Equal(HttpStatusCode.GatewayTimeout, reply.Status);
        var status = Status(reply);
        Assert.Equal((504, "Timeout"), (status.Code, status.Reason));
        Assert.Equal("ResourceVersionTooLarge", Assert.Single(status.Details.Causes).Reason);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_WatchList_at_a_future_version_gets_one_ERROR_event_after_the_wait(bool protobuf)
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 10, TimeProvider = time });
        using var client = Client(server);
        long rv = server.Population.ResourceVersion;

        var watch = Drain(client, new WatchRequest
        {
            ResourceVersion = Rv(rv + 50), SendInitialEvents = true, ResourceVersionMatch = "NotOlderThan", AllowWatchBookmarks = true,
        }, protobuf);
        await FakeTime.Until(() => server.CountRequests(RequestKind.WatchList) == 1);
        await time.AdvanceUntil(() => watch.IsCompleted, TimeSpan.FromMilliseconds(500));
        var e = await Assert.ThrowsAsync<ResourceVersionTooLargeException>(() => watch);
        Assert.Equal(504, e.Code);
        // As the watch cache: HTTP 200, the error is the stream's one event.
        await FakeTime.Until(() => server.Requests.Any(r => r.Query.Contains("sendInitialEvents", StringComparison.Ordinal))); // recorded once answered
        Assert.Equal(200, server.Requests.Single(r => r.Query.Contains("sendInitialEvents", StringComparison.Ordinal)).StatusCode);
    }

    [Fact]
    public async Task A_plain_watch_at_a_future_version_opens_and_delivers_what_comes_after_it()
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 10, TimeProvider = time, BookmarkInterval = TimeSpan.FromSeconds(1) });
        using var client = Client(server);
        long rv = server.Population.ResourceVersion;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = new WatchRequest { ResourceVersion = Rv(rv + 2), AllowWatchBookmarks = true };
        await using var events = client.WatchStreamingAsync<V1Pod>(ResourceDescriptor.For<V1Pod>(), request, null, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        var next = events.MoveNextAsync().AsTask();
        await FakeTime.Until(() => server.WatcherCount == 1);
        time.Advance(TimeSpan.FromSeconds(5)); // bookmarks fall due, but none goes out below the start version
        server.Population.Modify(0);
        server.Population.Modify(1);
        server.Population.Modify(2);
        Assert.True(await next);
        Assert.Equal((WatchEventKind.Modified, Rv(rv + 3)), (events.Current.Type, events.Current.Object.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task An_etcd_restore_takes_the_revision_back_ends_every_watch_and_reuses_versions()
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 20, TimeProvider = time });
        using var client = ApiClient.For(server);
        long backup = server.Population.ResourceVersion;
        string backupKeys = server.GetState().KeysSha256;
        server.Population.ApplyChurn(20, 1);
        long lost = server.Population.ResourceVersion;

        var watch = client.GetAsync(Pods + $"?watch=true&resourceVersion={lost}", ApiClient.Json);
        await FakeTime.Until(() => server.WatcherCount == 1);
        server.RestoreEtcd(backup);

        Assert.Equal(HttpStatusCode.OK, (await watch).Status); // ended normally, with no event
        Assert.Empty((await watch).Body);
        Assert.Equal(0, server.WatcherCount);
        var state = server.GetState();
        Assert.Equal((Rv(backup), backupKeys), (state.ResourceVersion, state.KeysSha256));

        // A read at the lost version waits for it, and the server is behind: 504 TooLarge.
        var relist = client.GetAsync(Pods + $"?resourceVersion={lost}");
        await time.AdvanceUntil(() => relist.IsCompleted, TimeSpan.FromMilliseconds(500));
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await relist).Status);
        // A consistent read gets the restored state; the next change reuses a version clients saw before.
        Assert.Equal(Rv(backup), List(await client.GetAsync(Pods)).Metadata.ResourceVersion);
        Assert.Equal(backup + 1, server.Population.Modify(0).ResourceVersion);

        Assert.Throws<ArgumentException>(() => server.RestoreEtcd(lost)); // never retained: gone with the restore
    }

    private static V1PodList List(ApiClient.Reply reply)
    {
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.ContentType == KubernetesProtobuf.MediaType
            ? KubernetesProtobuf.Decode<V1PodList>(reply.Body)
            : KubernetesJson.Deserialize<V1PodList>(Encoding.UTF8.GetString(reply.Body));
    }

    private static V1Status Status(ApiClient.Reply reply) => reply.ContentType == KubernetesProtobuf.MediaType
        ? KubernetesProtobuf.Decode<V1Status>(reply.Body)
        : KubernetesJson.Deserialize<V1Status>(Encoding.UTF8.GetString(reply.Body));

    private static Kubernetes Client(FakeApiServer server) => new(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });

    private static async Task Drain(IKubernetes client, WatchRequest request, bool protobuf)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var options = protobuf ? null : new StreamingOptions { PreferProtobuf = false };
        await foreach (var _ in client.WatchStreamingAsync<V1Pod>(ResourceDescriptor.For<V1Pod>(), request, options, cancel.Token))
        {
        }
    }

    private static string Rv(long rv) => rv.ToString(CultureInfo.InvariantCulture);
}
