using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Server;
using StreamList.Tests.Support;
using StreamList.Watching;
using StreamList.Codec;

namespace StreamList.Tests.Testing;

/// <summary>The fake API server's WATCH: events, replay, 410, bookmarks, WatchList, slow watchers, storms and admin, through the library's own client.</summary>
public class FakeApiServerWatchTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);
    private static readonly StreamingOptions s_json = new() { PreferProtobuf = false };
    private static readonly StreamingOptions s_h2c = new() { HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact };

    public static TheoryData<bool> ProtobufOrJson => new() { true, false };

    [Theory]
    [MemberData(nameof(ProtobufOrJson))]
    public async Task Events_match_the_population_changes(bool protobuf)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 30 });
        using var client = Client(server);
        long rv0 = server.Population.ResourceVersion;
        var changes = new List<PodChange>();
        server.Population.Changed += changes.Add;

        await using (var watch = await Open(server, client, new WatchRequest { ResourceVersion = Rv(rv0) }, protobuf ? null : s_json))
        {
            var custom = StreamList.Testing.Fixture.PodFixture.Create(7, 3);
            custom.Metadata.Name = "hand-made";
            server.Population.Modify(4);
            server.Population.Delete(5);
            server.Population.Create();
            server.Population.Create(custom);
            server.Population.ApplyChurn(10, 1);

            foreach (var change in changes.ToList())
            {
                var e = await watch.NextAsync();
                Assert.Equal(change.Type, e.Type);
                Assert.Equal("v1", e.Object.ApiVersion);
                Assert.Equal("Pod", e.Object.Kind);
                Assert.Equal(Rv(change.ResourceVersion), e.Object.Metadata.ResourceVersion);
                Assert.Equal(KubernetesJson.Serialize(change.Pod), KubernetesJson.Serialize(e.Object));
            }
            Assert.Equal(4 + 3, changes.Count); // churn of 10% over 30 pods: 3 modified, 0 deleted, 0 created
        }

        await FakeTime.Until(() => server.Requests.Any(r => r.Query.Contains("watch=true", StringComparison.Ordinal)));
        var recorded = server.Requests.Single(r => r.Query.Contains("watch=true", StringComparison.Ordinal));
        Assert.Equal(200, recorded.StatusCode);
        Assert.Equal(protobuf ? "application/vnd.kubernetes.protobuf;stream=watch" : "application/json", recorded.ContentType);
    }

    [Fact]
    public async Task Raw_bodies_are_frames_and_json_lines()
    {
        var time = new FakeTimeProvider();
        await using var server = await Start(new FakeApiServerOptions { Pods = 3, TimeProvider = time });
        string query = "/api/v1/namespaces/ns-001/pods?watch=true&timeoutSeconds=10";

        var (jsonType, jsonBody) = await WatchUntilTimeout(server, time, query, ApiClient.Json, b => Array.IndexOf(b, (byte)'\n') >= 0);
        Assert.Equal("application/json", jsonType);
        var line = Assert.Single(System.Text.Encoding.UTF8.GetString(jsonBody).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",", line, StringComparison.Ordinal);

        var (protoType, protoBody) = await WatchUntilTimeout(server, time, query, ApiClient.ProtobufFirst,
            b => b.Length >= 4 && b.Length >= 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b));
        Assert.Equal(KubernetesProtobuf.MediaType, protoType);
        int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(protoBody);
        Assert.Equal(protoBody.Length, 4 + length);
        Assert.Equal(StreamList.Codec.WatchEncoding.EncodeFrame("ADDED", server.Population.Current.Get(1)!), protoBody);
    }

    /// <summary>
    /// One watch on its own connection, read raw: the clock moves past timeoutSeconds only once the
    /// initial event has arrived (a timeout before it would end the watch empty), then the rest of
    /// the body is read to its end.
    /// </summary>
    private static async Task<(string? ContentType, byte[] Body)> WatchUntilTimeout(FakeApiServer server, FakeTimeProvider time, string query,
        string accept, Func<byte[], bool> firstEventArrived)
    {
        using var api = ApiClient.For(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, query);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(s_wait);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var body = new MemoryStream();
        var buffer = new byte[4096];
        while (!firstEventArrived(body.ToArray()))
        {
            int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(s_wait);
            Assert.True(n > 0, "the watch ended before its initial event");
            body.Write(buffer, 0, n);
        }
        time.Advance(TimeSpan.FromSeconds(10));
        await stream.CopyToAsync(body).WaitAsync(s_wait);
        return (response.Content.Headers.ContentType?.MediaType, body.ToArray());
    }

    [Fact]
    public async Task Resuming_from_a_version_in_history_replays_then_streams_live()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 20 });
        using var client = Client(server);
        long rv0 = server.Population.ResourceVersion;
        for (int i = 0; i < 5; i++)
            server.Population.Modify(i);

        await using var watch = await Open(server, client, new WatchRequest { ResourceVersion = Rv(rv0 + 2) });
        server.Population.Delete(10);
        var seen = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            var e = await watch.NextAsync();
            seen.Add($"{e.Type} {e.Object.Metadata.ResourceVersion}");
        }
        Assert.Equal([$"Modified {rv0 + 3}", $"Modified {rv0 + 4}", $"Modified {rv0 + 5}", $"Deleted {rv0 + 6}"], seen);
    }

    [Fact]
    public async Task Replay_and_live_events_have_no_gap_and_no_duplicate_while_writers_race()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 50, WatcherBufferEvents = 10_000 });
        using var client = Client(server);
        long rv0 = server.Population.ResourceVersion;
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                server.Population.Modify(i % 50);
                if (i % 20 == 0)
                    await Task.Yield();
            }
        });
        // Watches opened while the population changes: each must see rv0+1, rv0+2, ... with no hole.
        var watches = new List<EventStream>();
        for (int k = 0; k < 5; k++)
        {
            watches.Add(await Open(server, client, new WatchRequest { ResourceVersion = Rv(rv0) }, wantWatchers: k + 1));
            await Task.Delay(10);
        }
        await stop.CancelAsync();
        await writer;
        long last = server.Population.ResourceVersion;
        foreach (var watch in watches)
        {
            for (long rv = rv0 + 1; rv <= last; rv++)
                Assert.Equal(Rv(rv), (await watch.NextAsync()).Object.Metadata.ResourceVersion);
            await watch.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_watch_from_a_compacted_version_gets_one_410_error_event()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 20, WatchHistorySize = 3 });
        using var client = Client(server);
        long rv0 = server.Population.ResourceVersion;
        for (int i = 0; i < 5; i++)
            server.Population.Modify(i);

        // History keeps rv0+3..rv0+5: rv0+2 is the oldest servable start, rv0+1 is too old.
        Assert.Equal(rv0 + 2, server.WatchHistoryFloor);
        var expired = await Assert.ThrowsAsync<ResourceExpiredException>(() => Drain(client, new WatchRequest { ResourceVersion = Rv(rv0 + 1) }));
        Assert.Equal(410, expired.Code);
        Assert.Equal("Expired", expired.Reason);
        Assert.Equal($"too old resource version: {rv0 + 1} ({rv0 + 2})", expired.Status.Message);
        await using (var ok = await Open(server, client, new WatchRequest { ResourceVersion = Rv(rv0 + 2) }))
            Assert.Equal(Rv(rv0 + 3), (await ok.NextAsync()).Object.Metadata.ResourceVersion);

        server.Compact();
        long now = server.Population.ResourceVersion;
        await Assert.ThrowsAsync<ResourceExpiredException>(() => Drain(client, new WatchRequest { ResourceVersion = Rv(rv0 + 4) }, s_json));
        await using (var fromNow = await Open(server, client, new WatchRequest { ResourceVersion = Rv(now) }))
        {
            server.Population.Modify(1);
            Assert.Equal(Rv(now + 1), (await fromNow.NextAsync()).Object.Metadata.ResourceVersion);
        }

        // As the apiserver: HTTP 200, one ERROR event, end of stream.
        using var http = ApiClient.For(server);
        var reply = await http.GetAsync($"/api/v1/pods?watch=true&resourceVersion={rv0}", ApiClient.Json);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        using var doc = JsonDocument.Parse(reply.Body);
        Assert.Equal("ERROR", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(410, doc.RootElement.GetProperty("object").GetProperty("code").GetInt32());
        Assert.Equal("Expired", doc.RootElement.GetProperty("object").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Bad_versions_and_forbidden_combinations_get_http_errors()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 5 });
        using var client = Client(server);
        long rv = server.Population.ResourceVersion;

        var invalid = await Assert.ThrowsAsync<KubernetesStatusException>(() => Drain(client, new WatchRequest { ResourceVersion = "", SendInitialEvents = true }));
        Assert.Equal(422, invalid.Code);
        Assert.Equal("Invalid", invalid.Reason);
        var bad = await Assert.ThrowsAsync<KubernetesStatusException>(() => Drain(client, new WatchRequest { ResourceVersion = "abc" }));
        Assert.Equal(400, bad.Code);
    }

    [Fact]
    public async Task Bookmarks_carry_the_current_version_and_timeout_ends_the_stream_normally()
    {
        var time = new FakeTimeProvider();
        await using var server = await Start(new FakeApiServerOptions { Pods = 10, TimeProvider = time });
        using var client = Client(server);
        long rv0 = server.Population.ResourceVersion;

        await using var watch = await Open(server, client, new WatchRequest { ResourceVersion = Rv(rv0), AllowWatchBookmarks = true, TimeoutSeconds = 5 });
        server.Population.Modify(3);
        Assert.Equal(WatchEventKind.Modified, (await watch.NextAsync()).Type);
        time.Advance(TimeSpan.FromSeconds(1));
        var bookmark = await watch.NextAsync();
        Assert.Equal(WatchEventKind.Bookmark, bookmark.Type);
        Assert.Equal(Rv(rv0 + 1), bookmark.Object.Metadata.ResourceVersion);
        Assert.Null(bookmark.Object.Metadata.Name);
        Assert.Null(bookmark.Object.Metadata.Uid);
        Assert.Null(bookmark.Object.Spec?.Containers); // protobuf carries an empty spec, as Go's non-pointer field does

        // Changes outside the watch's selection still move its bookmarks on.
        await using var narrow = await Open(server, client, new WatchRequest { ResourceVersion = Rv(rv0 + 1), FieldSelector = "metadata.namespace=ns-199" }, wantWatchers: 2);
        server.Population.Modify(4);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(WatchEventKind.Modified, (await watch.NextAsync()).Type);
        Assert.Equal(Rv(rv0 + 2), (await watch.NextAsync()).Object.Metadata.ResourceVersion);
        var narrowBookmark = await narrow.NextAsync();
        Assert.Equal(WatchEventKind.Bookmark, narrowBookmark.Type);
        Assert.Equal(Rv(rv0 + 2), narrowBookmark.Object.Metadata.ResourceVersion);

        time.Advance(TimeSpan.FromSeconds(3)); // 5 s after the first watch started
        var rest = await watch.RestAsync();
        Assert.All(rest, e => Assert.Equal(WatchEventKind.Bookmark, e.Type));
        await FakeTime.Until(() => server.WatcherCount == 1);
    }

    [Fact]
    public async Task Without_allowWatchBookmarks_no_bookmark_is_sent()
    {
        var time = new FakeTimeProvider();
        await using var server = await Start(new FakeApiServerOptions { Pods = 10, TimeProvider = time });
        using var client = Client(server);
        await using var watch = await Open(server, client, new WatchRequest { ResourceVersion = Rv(server.Population.ResourceVersion), AllowWatchBookmarks = false, TimeoutSeconds = 3 });
        time.Advance(TimeSpan.FromSeconds(2));
        server.Population.Modify(1);
        time.Advance(TimeSpan.FromSeconds(1));
        var events = await watch.RestAsync();
        Assert.Equal([WatchEventKind.Modified], events.Select(e => e.Type));
    }

    [Theory]
    [MemberData(nameof(ProtobufOrJson))]
    public async Task Version_0_starts_with_the_state_and_selectors_apply(bool protobuf)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 600 });
        using var client = Client(server);
        server.Population.Delete(1);
        server.Population.Modify(201);

        await using var watch = await Open(server, client, new WatchRequest { ResourceVersion = "0", LabelSelector = "tier!=nothing" },
            protobuf ? null : s_json, resource: ResourceDescriptor.For<V1Pod>("ns-001"));
        var expected = server.Population.Current.Enumerate().Where(s => s.Pod.Metadata.NamespaceProperty == "ns-001").ToList();
        Assert.Equal(2, expected.Count); // 201 and 401; 1 was deleted
        foreach (var slot in expected)
        {
            var e = await watch.NextAsync();
            Assert.Equal(WatchEventKind.Added, e.Type);
            Assert.Equal(KubernetesJson.Serialize(slot.Pod), KubernetesJson.Serialize(e.Object));
        }
        server.Population.Modify(0);   // ns-000: not selected
        server.Population.Modify(401); // ns-001
        var live = await watch.NextAsync();
        Assert.Equal((WatchEventKind.Modified, Rv(server.Population.ResourceVersion)), (live.Type, live.Object.Metadata.ResourceVersion));
    }

    [Theory]
    [MemberData(nameof(ProtobufOrJson))]
    public async Task WatchList_sends_the_state_then_the_end_bookmark_then_live_events(bool protobuf)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 25 });
        using var client = Client(server);
        server.Population.Modify(2);
        long synced = server.Population.ResourceVersion;

        await using var watch = await Open(server, client, WatchList(""), protobuf ? null : s_json);
        var added = new List<V1Pod>();
        for (int i = 0; i < 25; i++)
        {
            var e = await watch.NextAsync();
            Assert.Equal(WatchEventKind.Added, e.Type);
            added.Add(e.Object);
        }
        Assert.Equal(KeysSha256.Compute(server.Population.Current.Enumerate().Select(s => s.Pod)), KeysSha256.Compute(added));
        var end = await watch.NextAsync();
        Assert.Equal(WatchEventKind.Bookmark, end.Type);
        Assert.Equal(Rv(synced), end.Object.Metadata.ResourceVersion);
        Assert.Equal("true", end.Object.Metadata.Annotations["k8s.io/initial-events-end"]);
        server.Population.Delete(0);
        Assert.Equal((WatchEventKind.Deleted, Rv(synced + 1)), Describe(await watch.NextAsync()));
    }

    [Fact]
    public async Task WatchList_ignored_by_an_old_server_never_sends_the_end_bookmark()
    {
        var time = new FakeTimeProvider();
        await using var server = await Start(new FakeApiServerOptions { Pods = 5, WatchListMode = WatchListMode.Ignored, TimeProvider = time });
        using var client = Client(server);
        await using var watch = await Open(server, client, WatchList("") with { TimeoutSeconds = 2 });
        server.Population.Modify(0);
        // Read before the timeout fires: a timeout ends the stream at once, even in the middle of the initial state.
        var events = await watch.NextAsync(6);
        Assert.Equal(Enumerable.Repeat(WatchEventKind.Added, 5).Append(WatchEventKind.Modified), events.Select(e => e.Type));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(await watch.RestAsync()); // no initial-events-end bookmark, ever
    }

    [Fact]
    public async Task WatchList_rejected_gets_422_invalid()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 5, WatchListMode = WatchListMode.Rejected });
        using var client = Client(server);
        var e = await Assert.ThrowsAsync<KubernetesStatusException>(() => Drain(client, WatchList("")));
        Assert.Equal(422, e.Code);
        Assert.Equal("Invalid", e.Reason);
        Assert.Equal(422, server.Requests[^1].StatusCode);
    }

    [Fact]
    public async Task Watch_faults_expire_reset_and_close_on_cue()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 10 });
        using var client = Client(server);
        long rv0 = server.Population.ResourceVersion;
        for (int i = 0; i < 6; i++)
            server.Population.Modify(i);
        var fromStart = new WatchRequest { ResourceVersion = Rv(rv0) };

        server.Faults = FaultPlan.None with { ExpiredWatches = 1 };
        await Assert.ThrowsAsync<ResourceExpiredException>(() => Drain(client, fromStart));

        server.Faults = FaultPlan.None with { WatchCloses = 1, WatchCloseAfterEvents = 4 };
        await using (var closed = await Open(server, client, fromStart))
            Assert.Equal(4, (await closed.RestAsync()).Count);

        server.Faults = FaultPlan.None with { WatchResets = 1, WatchResetsAfterEvents = 2 };
        await using (var reset = await Open(server, client, fromStart))
        {
            await reset.NextAsync();
            await reset.NextAsync();
            var error = await Assert.ThrowsAnyAsync<Exception>(() => reset.RestAsync());
            Assert.True(error is IOException or HttpRequestException, error.ToString());
        }

        Assert.Equal((0, 0, 0), (server.Faults.ExpiredWatches, server.Faults.WatchResets, server.Faults.WatchCloses));
        await using var fine = await Open(server, client, fromStart);
        Assert.Equal(Rv(rv0 + 6), (await fine.NextAsync(6))[^1].Object.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_slow_watcher_is_closed_while_a_fast_one_keeps_receiving()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 100 });
        using var slowClient = Client(server);
        using var fastClient = Client(server);
        long rv0 = server.Population.ResourceVersion;

        // h2c: the slow client's flow-control window, not megabytes of socket buffers, is what stalls the server.
        await using var slow = await Open(server, slowClient, new WatchRequest { ResourceVersion = Rv(rv0) }, s_h2c);
        await using var fast = await Open(server, fastClient, new WatchRequest { ResourceVersion = Rv(rv0) }, wantWatchers: 2);
        var fastSeen = new List<string>();
        var fastReader = Task.Run(async () =>
        {
            while (await fast.NextOrEndAsync() is { } e)
            {
                lock (fastSeen)
                    fastSeen.Add(e.Object.Metadata.ResourceVersion);
            }
        });

        var slowest = TimeSpan.Zero;
        int made = 0;
        for (; made < 3000 && server.SlowWatchersClosed == 0; made++)
        {
            long t = System.Diagnostics.Stopwatch.GetTimestamp();
            server.Population.Modify(made % 100);
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(t);
            slowest = took > slowest ? took : slowest;
            if (made % 2 == 1)
                await Task.Delay(1); // ~1,000 events/s: the fast reader keeps up even on a loaded machine
        }
        Assert.Equal(1, server.SlowWatchersClosed);
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a writer was blocked {slowest}"); // the budget is 100 ms; generous for loaded machines
        for (int i = 0; i < 20; i++)
            server.Population.Modify(i);
        made += 20;

        await FakeTime.Until(() => { lock (fastSeen) return fastSeen.Count == made; });
        lock (fastSeen)
            Assert.Equal(Enumerable.Range(1, made).Select(k => Rv(rv0 + k)), fastSeen);
        Assert.Equal(1, server.WatcherCount);
        Assert.Equal(1, server.GetState().SlowWatchersClosed);

        // The slow client, reading again, gets a prefix of the events and then a normal end of stream.
        var slowEvents = await slow.RestAsync();
        Assert.InRange(slowEvents.Count, 1, made - 1);
        Assert.Equal(Enumerable.Range(1, slowEvents.Count).Select(k => Rv(rv0 + k)), slowEvents.Select(e => e.Object.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Many_h2c_watches_on_one_connection_all_get_their_events()
    {
        const int Watches = 150;
        await using var server = await Start(new FakeApiServerOptions { Pods = 20, Protocols = ServerProtocols.Http2 });
        using var client = Client(server, singleConnection: true);
        long rv0 = server.Population.ResourceVersion;
        var watches = new List<EventStream>();
        for (int i = 0; i < Watches; i++)
            watches.Add(EventStream.Start(client, new WatchRequest { ResourceVersion = Rv(rv0) }, s_h2c));
        try
        {
            await FakeTime.Until(() => server.WatcherCount == Watches);
            Assert.Single(server.ActiveWatchers.Select(w => w.ConnectionId).Distinct());
            Assert.All(server.ActiveWatchers, w => Assert.Equal("HTTP/2", w.Protocol));

            server.Population.Modify(7);
            server.ApplyChurn(50, 1);
            long last = server.Population.ResourceVersion;
            var results = await Task.WhenAll(watches.Select(async w =>
            {
                var events = await w.NextAsync((int)(last - rv0));
                return events[^1].Object.Metadata.ResourceVersion;
            }));
            Assert.All(results, rv => Assert.Equal(Rv(last), rv));
        }
        finally
        {
            foreach (var w in watches)
                await w.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_storm_loop_makes_rate_events_per_second_in_fake_time_and_compacts()
    {
        var time = new FakeTimeProvider();
        await using var server = await Start(new FakeApiServerOptions { Pods = 200, TimeProvider = time });
        long rv0 = server.Population.ResourceVersion;

        server.StartStorm(400, compactEvery: TimeSpan.FromMilliseconds(500));
        for (int step = 1; step <= 10; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await FakeTime.Until(() => server.StormEvents >= 40 * step);
        }
        await server.StopStorm();
        Assert.False(server.StormRunning);
        Assert.Equal(400, server.StormEvents);
        Assert.Equal(rv0 + 400, server.Population.ResourceVersion);
        Assert.Equal(200, server.Population.Count);
        Assert.InRange(server.WatchHistoryFloor, rv0 + 200, rv0 + 400); // compacted at least once, at 0.5 s or 1 s

        time.Advance(TimeSpan.FromSeconds(1)); // a stopped storm has no loop left to wake: nothing more happens
        Assert.Equal(400, server.StormEvents);
    }

    [Fact]
    public async Task The_storm_loop_runs_in_real_time_from_the_options()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 100, EventRate = 2000 });
        var started = System.Diagnostics.Stopwatch.StartNew();
        await FakeTime.Until(() => server.StormEvents >= 200);
        await server.StopStorm();
        double seconds = started.Elapsed.TotalSeconds;
        long events = server.StormEvents;
        Assert.InRange(events, 200, (long)(2000 * (seconds + 1.5))); // never more than a second's catch-up ahead of the clock
    }

    [Fact]
    public async Task Admin_endpoints_drive_the_server()
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 100 });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var client = Client(server);
        await using var watch = await Open(server, client, new WatchRequest { ResourceVersion = Rv(server.Population.ResourceVersion) });

        var state = await http.GetFromJsonAsync<FakeApiServerState>("/streamlist/state");
        Assert.Equal(server.GetState(), state);
        Assert.Equal(1, state!.Watchers);
        Assert.Equal(new RequestCounts(0, 0, 0, 0, 1, 0), state.Requests);
        Assert.Equal(KeysSha256.Compute(server.Population.Current.Enumerate().Select(s => s.Pod)), state.KeysSha256);
        using (var raw = JsonDocument.Parse(await http.GetStringAsync("/streamlist/state")))
            Assert.Equal(["resourceVersion", "count", "keysSha256", "watchers", "slowWatchersClosed", "requests", "watchesExpiredByCompaction"], raw.RootElement.EnumerateObject().Select(p => p.Name));

        var churn = await http.PostAsync("/streamlist/churn?percent=10&round=3", null);
        Assert.Equal(HttpStatusCode.OK, churn.StatusCode);
        var result = await churn.Content.ReadFromJsonAsync<ChurnResult>();
        Assert.Equal(new ChurnResult(10, 1, 1, server.Population.ResourceVersion), result);
        Assert.Equal(12, (await watch.NextAsync(12)).Count);

        var compact = await http.PostAsync("/streamlist/compact", null);
        Assert.Equal(HttpStatusCode.OK, compact.StatusCode);
        Assert.Equal(server.Population.ResourceVersion, server.WatchHistoryFloor);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/streamlist/storm?rate=500&compactEverySeconds=10", null)).StatusCode);
        Assert.True(server.StormRunning);
        await FakeTime.Until(() => server.StormEvents > 0);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/streamlist/storm")).StatusCode);
        Assert.False(server.StormRunning);

        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/streamlist/churn?percent=500", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/streamlist/storm?rate=-1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.GetAsync("/streamlist/churn")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/streamlist/nothing")).StatusCode);
        var after = await http.GetFromJsonAsync<FakeApiServerState>("/streamlist/state");
        Assert.Equal(server.GetState(), after);
        Assert.Equal(Rv(server.Population.ResourceVersion), after!.ResourceVersion);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_informer_syncs_and_follows_churn_storms_and_compaction(bool useWatchList)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 300, WatchHistorySize = 200 });
        using var client = Client(server);
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod>
        {
            UseWatchList = useWatchList,
            RelistGate = new RelistGate(),
            Backoff = FastBackoff(),
        });
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(s_wait);
        await Converged(server, informer);

        server.ApplyChurn(10, 1);
        await Converged(server, informer);

        // A storm with compaction: the informer's watch may fall behind, get 410 and relist.
        server.StartStorm(1000, TimeSpan.FromMilliseconds(200));
        await FakeTime.Until(() => server.StormEvents >= 800); // counted, not timed: as much storm on a loaded machine as on an idle one
        await server.StopStorm();
        server.ApplyChurn(5, 2);
        // A starved client may have been cut off as a slow watcher meanwhile (a normal end: it re-watches); it must still converge.
        await Converged(server, informer);
    }

    [Theory]
    [InlineData(WatchListMode.Rejected)]
    [InlineData(WatchListMode.Ignored)]
    public async Task The_informer_falls_back_to_lists_when_WatchList_is_refused_or_ignored(WatchListMode mode)
    {
        await using var server = await Start(new FakeApiServerOptions { Pods = 100, WatchListMode = mode });
        using var client = Client(server);
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod>
        {
            UseWatchList = true,
            WatchListTimeout = TimeSpan.FromSeconds(1),
            RelistGate = new RelistGate(),
            Backoff = FastBackoff(),
        });
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(s_wait);
        server.ApplyChurn(10, 1);
        await Converged(server, informer);
        Assert.Contains(server.Requests, r => r.Query.Contains("sendInitialEvents=true", StringComparison.Ordinal));
        Assert.Contains(server.Requests, r => !r.Query.Contains("watch=true", StringComparison.Ordinal) && r.Path == "/api/v1/pods");
    }

    // ---- helpers ------------------------------------------------------------------------

    private static Task<FakeApiServer> Start(FakeApiServerOptions options) => FakeApiServer.StartAsync(options);

    private static Kubernetes Client(FakeApiServer server, bool singleConnection = false) => new(new KubernetesClientConfiguration
    {
        Host = server.BaseAddress.ToString(),
        FirstMessageHandlerSetup = singleConnection ? h => h.EnableMultipleHttp2Connections = false : null,
    });

    private static Backoff FastBackoff() => new(TimeProvider.System, new Random(1))
    {
        Initial = TimeSpan.FromMilliseconds(10),
        Cap = TimeSpan.FromMilliseconds(200),
        Jitter = 0,
    };

    private static string Rv(long rv) => rv.ToString(CultureInfo.InvariantCulture);

    private static (WatchEventKind, string) Describe(WatchEvent<V1Pod> e) => (e.Type, e.Object.Metadata.ResourceVersion);

    private static WatchRequest WatchList(string rv) => new()
    {
        ResourceVersion = rv,
        SendInitialEvents = true,
        ResourceVersionMatch = "NotOlderThan",
        AllowWatchBookmarks = true,
    };

    /// <summary>Opens a watch and waits until the server has registered it (so changes made next reach it).</summary>
    private static async Task<EventStream> Open(FakeApiServer server, IKubernetes client, WatchRequest request, StreamingOptions? options = null,
        int wantWatchers = 1, ResourceDescriptor? resource = null)
    {
        var stream = EventStream.Start(client, request, options, resource);
        // A watch that already delivered (or failed) was registered, even if it has ended since.
        await FakeTime.Until(() => server.WatcherCount >= wantWatchers || stream.FirstReadDone);
        return stream;
    }

    /// <summary>Reads a whole watch (for requests that fail or end at once).</summary>
    private static async Task Drain(IKubernetes client, WatchRequest request, StreamingOptions? options = null)
    {
        using var cancel = new CancellationTokenSource(s_wait);
        await foreach (var _ in client.WatchStreamingAsync<V1Pod>(ResourceDescriptor.For<V1Pod>(), request, options, cancel.Token))
        {
        }
    }

    private static async Task Converged(FakeApiServer server, Informer<V1Pod> informer)
    {
        string expected = "";
        try
        {
            await FakeTime.Until(() =>
            {
                expected = server.GetState().KeysSha256;
                return KeysSha256.Compute(informer.Store.List()) == expected;
            }, timeoutMs: 15_000);
        }
        catch (TimeoutException)
        {
            var stats = informer.Statistics;
            Assert.Fail($"informer did not converge: store {informer.Store.Count} pods, server {server.Population.Count} at RV {server.Population.ResourceVersion}, " +
                $"informer RV {informer.LastSyncResourceVersion}, lists {stats.Lists}, watches {stats.WatchStarts}, expired {stats.WatchExpired}, failures {stats.Failures}, " +
                $"slow watchers closed {server.SlowWatchersClosed}, last error {stats.LastError}");
        }
    }

    /// <summary>One watch's events, read on demand with a timeout.</summary>
    private sealed class EventStream : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly IAsyncEnumerator<WatchEvent<V1Pod>> _events;
        private Task<bool>? _pending;

        private EventStream(IKubernetes client, WatchRequest request, StreamingOptions? options, ResourceDescriptor? resource)
        {
            _events = client.WatchStreamingAsync<V1Pod>(resource ?? ResourceDescriptor.For<V1Pod>(), request, options, _cancel.Token).GetAsyncEnumerator(_cancel.Token);
            _pending = _events.MoveNextAsync().AsTask();
        }

        /// <summary>True when the first read completed (an event, the end, or an error such as an HTTP failure).</summary>
        public bool FirstReadDone => _pending is null or { IsCompleted: true };

        public static EventStream Start(IKubernetes client, WatchRequest request, StreamingOptions? options, ResourceDescriptor? resource = null) =>
            new(client, request, options, resource);

        public async Task<WatchEvent<V1Pod>?> NextOrEndAsync()
        {
            var next = _pending ?? _events.MoveNextAsync().AsTask();
            _pending = null;
            return await next.WaitAsync(s_wait) ? _events.Current : null;
        }

        public async Task<WatchEvent<V1Pod>> NextAsync() =>
            await NextOrEndAsync() ?? throw new Xunit.Sdk.XunitException("the watch ended");

        public async Task<List<WatchEvent<V1Pod>>> NextAsync(int count)
        {
            var events = new List<WatchEvent<V1Pod>>(count);
            for (int i = 0; i < count; i++)
                events.Add(await NextAsync());
            return events;
        }

        /// <summary>Everything until the server ends the stream.</summary>
        public async Task<List<WatchEvent<V1Pod>>> RestAsync()
        {
            var events = new List<WatchEvent<V1Pod>>();
            while (await NextOrEndAsync() is { } e)
                events.Add(e);
            return events;
        }

        public async ValueTask DisposeAsync()
        {
            await _cancel.CancelAsync();
            try
            {
                if (_pending is not null)
                    await _pending;
            }
            catch (Exception)
            {
                // Cancelled or failed: either way the stream is done.
            }
            try
            {
                await _events.DisposeAsync();
            }
            catch (Exception)
            {
            }
            _cancel.Dispose();
        }
    }
}
