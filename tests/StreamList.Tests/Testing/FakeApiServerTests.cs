using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Testing.Fixture;
using StreamList.Testing.Server;
using StreamList.Tests.Support;
using StreamList.Codec;

namespace StreamList.Tests.Testing;

/// <summary>The fake API server serves the fixture as the apiserver would, and fails on cue.</summary>
public class FakeApiServerTests
{
    private const string Pods = "/api/v1/pods";

    public static TheoryData<string> Encodings => new() { ApiClient.ProtobufFirst, ApiClient.Json };

    [Theory]
    [InlineData(ServerProtocols.Http1 | ServerProtocols.Http2, false)]
    [InlineData(ServerProtocols.Http1 | ServerProtocols.Http2, true)]
    [InlineData(ServerProtocols.Http1, false)]
    [InlineData(ServerProtocols.Http2, true)]
    public async Task Protobuf_list_decodes_to_the_fixture(ServerProtocols protocols, bool http2)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 300, Seed = 5, Protocols = protocols });
        using var client = ApiClient.For(server, http2);

        var reply = await client.GetAsync(Pods);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(http2 ? HttpVersion.Version20 : HttpVersion.Version11, reply.Version);
        Assert.Equal(KubernetesProtobuf.MediaType, reply.ContentType);
        Assert.Equal("k8s\0"u8.ToArray(), reply.Body[..4]);
        Assert.Equal([0x1a, 0x00, 0x22, 0x00], reply.Body[^4..]);
        var list = KubernetesProtobuf.Decode<V1PodList>(reply.Body);
        AssertIsPopulation(server.Population.Current, list);
        Assert.Null(list.Metadata.ContinueProperty);

        // Byte for byte what the codec writes for the whole list at once (the apiserver's layout).
        var whole = new V1PodList
        {
            Metadata = new V1ListMeta { ResourceVersion = list.Metadata.ResourceVersion },
            Items = server.Population.Current.Enumerate().Select(s => s.Pod).ToList(),
        };
        Assert.Equal(KubernetesProtobuf.Encode(whole), reply.Body);
    }

    [Fact]
    public async Task An_empty_population_lists_no_items()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 0 });
        using var client = ApiClient.For(server);
        foreach (var accept in new[] { ApiClient.ProtobufFirst, ApiClient.Json })
        {
            var list = DecodeList(await client.GetAsync(Pods + "?limit=10", accept));
            Assert.Empty(list.Items ?? []);
            Assert.Null(list.Metadata.ContinueProperty);
        }
    }

    [Fact]
    public async Task Changes_made_while_running_are_served()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 30 });
        using var client = ApiClient.For(server);
        var custom = PodFixture.Create(99, 0);
        custom.Metadata.Name = "hand-made";
        custom.Metadata.NamespaceProperty = "ns-custom";

        server.Population.Modify(1);
        server.Population.Delete(2);
        var created = server.Population.Create(custom);
        var replaced = PodFixture.Create(5, 3);
        replaced.Metadata.Labels["tier"] = "replaced";
        server.Population.Replace(3, replaced);

        foreach (var accept in new[] { ApiClient.ProtobufFirst, ApiClient.Json })
        {
            var list = DecodeList(await client.GetAsync(Pods, accept));
            AssertIsPopulation(server.Population.Current, list);
            Assert.Equal(30, list.Items.Count);
            Assert.Equal(created.ResourceVersion.ToString(CultureInfo.InvariantCulture), list.Items[^1].Metadata.ResourceVersion);
            Assert.Equal("replaced", list.Items[2].Metadata.Labels["tier"]);
            var byNamespace = DecodeList(await client.GetAsync("/api/v1/namespaces/ns-custom/pods", accept));
            Assert.Equal("hand-made", Assert.Single(byNamespace.Items).Metadata.Name);
            var notReplaced = DecodeList(await client.GetAsync(Pods + "?labelSelector=tier!%3Dreplaced", accept));
            Assert.Equal(29, notReplaced.Items.Count);
        }
    }

    [Fact]
    public async Task Json_list_decodes_to_the_fixture()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 300, Seed = 5 });
        using var client = ApiClient.For(server);

        var reply = await client.GetAsync(Pods, ApiClient.Json);
        var noAccept = await client.GetAsync(Pods, accept: null);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal("application/json", noAccept.ContentType);
        Assert.StartsWith("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":", Encoding.UTF8.GetString(reply.Body), StringComparison.Ordinal);
        AssertIsPopulation(server.Population.Current, DecodeList(reply));
        Assert.Equal(reply.Body, noAccept.Body);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task Paging_visits_every_pod_once(string accept)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 500 });
        using var client = ApiClient.For(server);
        var seen = new List<V1Pod>();
        string? token = null;
        var versions = new HashSet<string>();
        int pages = 0;
        do
        {
            var reply = await client.GetAsync(Pods + "?limit=70" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token)), accept);
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            var list = DecodeList(reply);
            seen.AddRange(list.Items);
            versions.Add(list.Metadata.ResourceVersion);
            token = list.Metadata.ContinueProperty;
            if (token is not null)
                Assert.Equal(500 - seen.Count, list.Metadata.RemainingItemCount);
            else
                Assert.Null(list.Metadata.RemainingItemCount);
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(8, pages);
        Assert.Single(versions);
        Assert.Equal(500, seen.Select(p => p.Metadata.Uid).Distinct().Count());
        Assert.Equal(Keys(server.Population.Current), KeysSha256.Compute(seen));
    }

    [Fact]
    public async Task A_paged_list_stays_consistent_while_the_population_churns()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 400 });
        using var client = ApiClient.For(server);
        var before = server.Population.Current;

        var first = DecodeList(await client.GetAsync(Pods + "?limit=100"));
        server.Population.ApplyChurn(10, round: 1);
        var rest = DecodeList(await client.GetAsync(Pods + "?continue=" + Uri.EscapeDataString(first.Metadata.ContinueProperty)));
        var now = DecodeList(await client.GetAsync(Pods));

        Assert.Equal(first.Metadata.ResourceVersion, rest.Metadata.ResourceVersion);
        Assert.Equal(Keys(before), KeysSha256.Compute(first.Items.Concat(rest.Items)));
        Assert.Equal(Keys(server.Population.Current), KeysSha256.Compute(now.Items));
        Assert.NotEqual(Keys(before), Keys(server.Population.Current));
        Assert.Equal(server.Population.ResourceVersion.ToString(CultureInfo.InvariantCulture), now.Metadata.ResourceVersion);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task Namespaces_and_selectors_filter(string accept)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 1_000, Seed = 9 });
        using var client = ApiClient.For(server);
        var all = server.Population.Current.Enumerate().Select(s => s.Pod).ToList();
        string app = all[0].Metadata.Labels["app"];

        var byPath = DecodeList(await client.GetAsync("/api/v1/namespaces/ns-007/pods", accept));
        var byField = DecodeList(await client.GetAsync(Pods + "?fieldSelector=metadata.namespace%3Dns-007", accept));
        var byLabel = DecodeList(await client.GetAsync(Pods + "?labelSelector=app%3D" + app, accept));
        var paged = DecodeList(await client.GetAsync(Pods + "?labelSelector=app%3D" + app + "&limit=2", accept));

        var inNs = all.Where(p => p.Metadata.NamespaceProperty == "ns-007").ToList();
        Assert.Equal(5, inNs.Count);
        Assert.Equal(KeysSha256.Compute(inNs), KeysSha256.Compute(byPath.Items));
        Assert.Equal(KeysSha256.Compute(inNs), KeysSha256.Compute(byField.Items));
        Assert.Equal(KeysSha256.Compute(all.Where(p => p.Metadata.Labels["app"] == app)), KeysSha256.Compute(byLabel.Items));
        Assert.Equal(2, paged.Items.Count);
        Assert.NotNull(paged.Metadata.ContinueProperty);
        Assert.Null(paged.Metadata.RemainingItemCount); // as the apiserver: not with selectors
    }

    [Fact]
    public async Task Resource_version_rules()
    {
        var time = new FakeTimeProvider();
        await using var server = await Start(new FakeApiServerOptions { Pods = 50, TimeProvider = time });
        using var client = ApiClient.For(server);
        long initial = server.Population.ResourceVersion;

        var cached = DecodeList(await client.GetAsync(Pods + "?resourceVersion=0&limit=10"));
        Assert.Equal(50, cached.Items.Count); // RV=0 is the watch cache: limit ignored

        var pending = client.GetAsync(Pods + "?resourceVersion=" + (initial + 10)); // waits 3 s (server clock) for that version
        await time.AdvanceUntil(() => pending.IsCompleted, TimeSpan.FromSeconds(1));
        var tooLarge = await pending;
        Assert.Equal(HttpStatusCode.GatewayTimeout, tooLarge.Status);
        var status = StatusOf(tooLarge);
        Assert.Equal((504, "Timeout"), (status.Code, status.Reason));
        Assert.IsType<ResourceVersionTooLargeException>(KubernetesStatusException.From(status));

        server.Population.Modify(3);
        var exactOld = DecodeList(await client.GetAsync(Pods + $"?resourceVersion={initial}&resourceVersionMatch=Exact"));
        Assert.Equal(initial.ToString(CultureInfo.InvariantCulture), exactOld.Metadata.ResourceVersion);
        Assert.Equal("1000003", exactOld.Items[3].Metadata.ResourceVersion);
        var notOlder = DecodeList(await client.GetAsync(Pods + $"?resourceVersion={initial}&resourceVersionMatch=NotOlderThan"));
        Assert.Equal((initial + 1).ToString(CultureInfo.InvariantCulture), notOlder.Metadata.ResourceVersion);

        server.Population.Compact();
        var expired = await client.GetAsync(Pods + $"?resourceVersion={initial}&resourceVersionMatch=Exact");
        Assert.Equal(HttpStatusCode.Gone, expired.Status);
        Assert.Equal("Expired", StatusOf(expired).Reason);

        var bad = await client.GetAsync(Pods + "?continue=abc&resourceVersion=5");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal("BadRequest", StatusOf(bad).Reason);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task Injected_500_and_410_carry_decodable_statuses(string accept)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 60 });
        using var client = ApiClient.For(server);

        server.Faults = FaultPlan.None with { InternalErrors = 1 };
        var error = await client.GetAsync(Pods, accept);
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.Equal((500, "InternalError", "Failure"), (StatusOf(error).Code, StatusOf(error).Reason, StatusOf(error).Status));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Pods, accept)).Status);

        server.Faults = FaultPlan.None with { ExpiredLists = 1 };
        var gone = await client.GetAsync(Pods, accept);
        Assert.Equal(HttpStatusCode.Gone, gone.Status);
        Assert.IsType<ResourceExpiredException>(KubernetesStatusException.From(StatusOf(gone)));
        Assert.Equal(FaultPlan.None, server.Faults);

        var first = DecodeList(await client.GetAsync(Pods + "?limit=25", accept));
        server.Faults = FaultPlan.None with { ExpiredContinues = 1 };
        var expired = await client.GetAsync(Pods + "?limit=25&continue=" + Uri.EscapeDataString(first.Metadata.ContinueProperty), accept);
        Assert.Equal(HttpStatusCode.Gone, expired.Status);
        var status = StatusOf(expired);
        Assert.Equal((410, "Expired"), (status.Code, status.Reason));
        var fresh = Assert.IsType<ResourceExpiredException>(KubernetesStatusException.From(status)).FreshContinue;
        Assert.False(string.IsNullOrEmpty(fresh));
        var resumed = DecodeList(await client.GetAsync(Pods + "?continue=" + Uri.EscapeDataString(fresh), accept));
        Assert.Equal(60, first.Items.Count + resumed.Items.Count);
    }

    [Fact]
    public async Task A_compacted_continue_token_expires_with_a_fresh_token()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 60 });
        using var client = ApiClient.For(server);
        var first = DecodeList(await client.GetAsync(Pods + "?limit=20"));
        server.Population.Delete(50);
        server.Population.Compact();

        var expired = await client.GetAsync(Pods + "?continue=" + Uri.EscapeDataString(first.Metadata.ContinueProperty));

        Assert.Equal(HttpStatusCode.Gone, expired.Status);
        string fresh = StatusOf(expired).Metadata.ContinueProperty;
        var rest = DecodeList(await client.GetAsync(Pods + "?continue=" + Uri.EscapeDataString(fresh)));
        Assert.Equal(39, rest.Items.Count); // the remainder at the new version: pod 50 is gone
        Assert.Equal(server.Population.ResourceVersion.ToString(CultureInfo.InvariantCulture), rest.Metadata.ResourceVersion);
    }

    [Theory]
    [InlineData(ApiClient.ProtobufFirst, false)]
    [InlineData(ApiClient.Json, false)]
    [InlineData(ApiClient.ProtobufFirst, true)]
    public async Task A_truncated_body_breaks_off_inside_an_item(string accept, bool http2)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 40 });
        using var client = ApiClient.For(server, http2);
        int full = (await client.GetAsync(Pods, accept)).Body.Length;

        server.Faults = FaultPlan.None with { TruncatedBodies = 1, TruncateAfterItems = 3 };
        var (status, received, error) = await client.GetBrokenAsync(Pods, accept);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(error);
        Assert.InRange(received.Length, 3 * 4_000, 4 * 10_000);
        Assert.True(received.Length < full);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Pods, accept)).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reset_at_body_start_sends_headers_and_no_body(bool http2)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 40 });
        using var client = ApiClient.For(server, http2);
        server.Faults = FaultPlan.None with { ResetsAtBodyStart = 1 };

        var (status, received, error) = await client.GetBrokenAsync(Pods);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(error);
        Assert.Empty(received);
    }

    [Fact]
    public async Task Gzip_when_asked_and_allowed()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 200 });
        using var client = ApiClient.For(server);
        using var auto = ApiClient.For(server, decompression: DecompressionMethods.GZip);

        var plain = await client.GetAsync(Pods);
        var zipped = await client.GetAsync(Pods, gzip: true);
        var decompressed = await auto.GetAsync(Pods);

        Assert.Equal("gzip", zipped.ContentEncoding);
        Assert.Equal("", plain.ContentEncoding);
        Assert.True(zipped.Body.Length < plain.Body.Length / 2);
        Assert.Equal(plain.Body, Gunzip(zipped.Body));
        Assert.Equal(plain.Body, decompressed.Body);

        await using var noGzip = await Start(new FakeApiServerOptions { Pods = 20, AllowGzip = false });
        using var client2 = ApiClient.For(noGzip);
        Assert.Equal("", (await client2.GetAsync(Pods, gzip: true)).ContentEncoding);
    }

    [Theory]
    [InlineData(ChunkMode.OneByte, 4, false)]
    [InlineData(ChunkMode.OneByte, 4, true)]
    [InlineData(ChunkMode.Random, 120, false)]
    [InlineData(ChunkMode.Random, 120, true)]
    [InlineData(ChunkMode.Large, 300, false)]
    public async Task Every_chunking_gives_the_same_body(ChunkMode mode, int pods, bool gzip)
    {
        await using var reference = await Start(new FakeApiServerOptions { Pods = pods, ChunkSize = 4096 });
        await using var server = await Start(new FakeApiServerOptions { Pods = pods, ChunkMode = mode, ChunkSize = 4096, ChunkSeed = 3 });
        using var a = ApiClient.For(reference);
        using var b = ApiClient.For(server, decompression: gzip ? DecompressionMethods.GZip : DecompressionMethods.None);

        foreach (var accept in new[] { ApiClient.ProtobufFirst, ApiClient.Json })
            Assert.Equal((await a.GetAsync(Pods, accept)).Body, (await b.GetAsync(Pods, accept, gzip)).Body);
    }

    [Fact]
    public async Task A_slow_server_still_delivers()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 20, ChunkSize = 16 * 1024, ChunkDelay = TimeSpan.FromMilliseconds(2) });
        using var client = ApiClient.For(server);
        AssertIsPopulation(server.Population.Current, DecodeList(await client.GetAsync(Pods)));
    }

    [Fact]
    public async Task Content_negotiation_and_errors()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 10 });
        using var client = ApiClient.For(server);

        Assert.Equal(HttpStatusCode.NotAcceptable, (await client.GetAsync(Pods, "text/html")).Status);
        Assert.Equal("application/json", (await client.GetAsync(Pods, "application/json, application/vnd.kubernetes.protobuf")).ContentType);
        Assert.Equal("application/json", (await client.GetAsync(Pods, "application/vnd.kubernetes.protobuf;q=0, */*")).ContentType);
        var notFound = await client.GetAsync("/api/v1/configmaps");
        Assert.Equal(HttpStatusCode.NotFound, notFound.Status);
        Assert.Equal("NotFound", StatusOf(notFound).Reason);
        using var post = await client.Http.PostAsync(new Uri(Pods, UriKind.Relative), new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(Pods + "?continue=not-a-token")).Status);

        await using var jsonOnly = await Start(new FakeApiServerOptions { Pods = 10, AllowProtobuf = false });
        using var client2 = ApiClient.For(jsonOnly);
        var reply = await client2.GetAsync(Pods);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal(10, DecodeList(reply).Items.Count);
    }

    [Fact]
    public async Task Requests_are_counted_and_recorded()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 10 });
        using var client = ApiClient.For(server, http2: true);

        await client.GetAsync(Pods + "?limit=5");
        await client.GetAsync("/nowhere", ApiClient.Json);

        Assert.Equal(2, server.RequestCount);
        var requests = server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(("/api/v1/pods", "?limit=5", "HTTP/2", ApiClient.ProtobufFirst, 200, KubernetesProtobuf.MediaType),
            (requests[0].Path, requests[0].Query, requests[0].Protocol, requests[0].Accept, requests[0].StatusCode, requests[0].ContentType));
        Assert.Equal(404, requests[1].StatusCode);
    }

    private static Task<FakeApiServer> Start(FakeApiServerOptions options) => FakeApiServer.StartAsync(options, CancellationToken.None);

    private static string Keys(PodPopulationSnapshot snapshot) => KeysSha256.Compute(snapshot.Enumerate().Select(s => s.Pod));

    private static V1PodList DecodeList(ApiClient.Reply reply)
    {
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.ContentType == KubernetesProtobuf.MediaType
            ? KubernetesProtobuf.Decode<V1PodList>(reply.Body)
            : KubernetesJson.Deserialize<V1PodList>(Encoding.UTF8.GetString(reply.Body));
    }

    private static V1Status StatusOf(ApiClient.Reply reply) => reply.ContentType == KubernetesProtobuf.MediaType
        ? KubernetesProtobuf.Decode<V1Status>(reply.Body)
        : KubernetesJson.Deserialize<V1Status>(Encoding.UTF8.GetString(reply.Body));

    /// <summary>The list holds exactly the snapshot's pods, in order, equal field for field (sampled).</summary>
    private static void AssertIsPopulation(PodPopulationSnapshot snapshot, V1PodList list)
    {
        Assert.Equal(("v1", "PodList"), (list.ApiVersion, list.Kind));
        Assert.Equal(snapshot.ResourceVersion.ToString(CultureInfo.InvariantCulture), list.Metadata.ResourceVersion);
        Assert.Equal(snapshot.Count, list.Items.Count);
        Assert.Equal(Keys(snapshot), KeysSha256.Compute(list.Items));
        var slots = snapshot.Enumerate().ToList();
        foreach (int k in new[] { 0, 1, slots.Count / 2, slots.Count - 1 })
        {
            var item = list.Items[k];
            Assert.Null(item.Kind); // list items carry no type meta
            item.ApiVersion = "v1";
            item.Kind = "Pod";
            Assert.Equal(KubernetesJson.Serialize(slots[k].Pod), KubernetesJson.Serialize(item));
        }
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
