using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Listing;
using StreamList.Testing.Server;
using StreamList.Wire;

namespace StreamList.Tests.Integration;

/// <summary>
/// The drop-in streaming list against the fake API server over real HTTP: every fault gives its
/// typed error, and a failed list is never complete.
/// </summary>
public class StreamingListFaultTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 300, Seed = 7 });
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.BaseAddress.ToString() });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(List<V1Pod> Items, ListProgress Progress)> List(StreamingOptions? options = null, ListRequest? request = null)
    {
        var progress = new ListProgress();
        var items = new List<V1Pod>();
        await foreach (var pod in _client.ListStreamingAsync<V1Pod>(request: request, progress: progress, options: options))
            items.Add(pod);
        return (items, progress);
    }

    private string ServerKeys => _server.GetState().KeysSha256;

    public static TheoryData<bool, bool, bool> Transports => new()
    {
        { true, false, false }, { false, false, false }, { true, true, false }, { false, false, true }, { true, false, true },
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Lists_everything_over_every_transport(bool protobuf, bool gzip, bool http2)
    {
        var options = new StreamingOptions
        {
            PreferProtobuf = protobuf,
            AcceptGzip = gzip,
            HttpVersionPolicy = http2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
            HttpVersion = http2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
        };
        var (items, progress) = await List(options);
        Assert.True(progress.Complete);
        Assert.Equal(300, items.Count);
        Assert.Equal(ServerKeys, KeysSha256.Compute(items));
        var request = _server.Requests[^1];
        Assert.Equal(protobuf ? "application/vnd.kubernetes.protobuf" : "application/json", request.ContentType?.Split(';')[0]);
        Assert.Equal(http2 ? "HTTP/2" : "HTTP/1.1", request.Protocol);
    }

    [Fact]
    public async Task Pages_follow_continue_tokens()
    {
        var (items, progress) = await List(new StreamingOptions { PageSize = 70 }, new ListRequest { ResourceVersion = "" });
        Assert.True(progress.Complete);
        Assert.Equal(ServerKeys, KeysSha256.Compute(items));
        Assert.Equal(5, _server.Requests.Count(r => r.Path == "/api/v1/pods"));
    }

    [Fact]
    public async Task An_expired_continue_token_falls_back_to_a_full_list()
    {
        _server.Faults = FaultPlan.None with { ExpiredContinues = 1 };
        var (items, progress) = await List(new StreamingOptions { PageSize = 100 }, new ListRequest { ResourceVersion = "" });
        Assert.True(progress.Complete);
        Assert.Equal(1, progress.Restarts);
        Assert.Equal(ServerKeys, KeysSha256.Compute(items.DistinctBy(p => p.Metadata.Uid)));
    }

    [Fact]
    public async Task An_expired_list_is_a_ResourceExpiredException()
    {
        _server.Faults = FaultPlan.None with { ExpiredLists = 1 };
        var e = await Assert.ThrowsAsync<ResourceExpiredException>(() => List());
        Assert.Equal(410, e.Code);
    }

    [Fact]
    public async Task A_resource_version_from_the_future_is_ResourceVersionTooLarge()
    {
        var e = await Assert.ThrowsAsync<ResourceVersionTooLargeException>(() => List(request: new ListRequest { ResourceVersion = "999999999" }));
        Assert.Equal(504, e.Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_500_carries_its_status(bool protobuf)
    {
        _server.Faults = FaultPlan.None with { InternalErrors = 1 };
        var e = await Assert.ThrowsAsync<KubernetesStatusException>(() => List(new StreamingOptions { PreferProtobuf = protobuf }));
        Assert.Equal(500, e.Code);
        Assert.IsType<KubernetesStatusException>(e);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_cut_mid_item_fails_and_is_not_complete(bool protobuf)
    {
        _server.Faults = FaultPlan.None with { TruncatedBodies = 1, TruncateAfterItems = 120 };
        var progress = new ListProgress();
        var items = new List<V1Pod>();
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var pod in _client.ListStreamingAsync<V1Pod>(progress: progress, options: new StreamingOptions { PreferProtobuf = protobuf }))
                items.Add(pod);
        });
        Assert.True(e is IOException or HttpRequestException or KubernetesWireException, e.ToString());
        Assert.False(progress.Complete);
        Assert.InRange(items.Count, 1, 299);
    }

    [Fact]
    public async Task A_reset_at_the_start_of_the_body_fails_and_is_not_complete()
    {
        _server.Faults = FaultPlan.None with { ResetsAtBodyStart = 1 };
        var progress = new ListProgress();
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in _client.ListStreamingAsync<V1Pod>(progress: progress))
            {
            }
        });
        Assert.True(e is IOException or HttpRequestException or KubernetesWireException, e.ToString());
        Assert.False(progress.Complete);
        Assert.Equal(0, progress.Items);
    }

    [Fact]
    public async Task A_stalled_body_hits_the_idle_read_timeout()
    {
        await using var slow = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 50, ChunkMode = ChunkMode.OneByte, ChunkDelay = TimeSpan.FromSeconds(5) });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = slow.BaseAddress.ToString() });
        var progress = new ListProgress();
        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (var _ in client.ListStreamingAsync<V1Pod>(progress: progress, options: new StreamingOptions { IdleReadTimeout = TimeSpan.FromMilliseconds(300) }))
            {
            }
        });
        Assert.False(progress.Complete);
    }
}
