using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Tests.Support;
using StreamList.Watching;
using static StreamList.Tests.Support.ReflectorHarness;
using static StreamList.Tests.Support.ScriptedListWatch;

namespace StreamList.Tests.Informers;

/// <summary>The reflector's rules, in fake time, against a scripted list/watch.</summary>
public class ReflectorTests
{
    [Fact]
    public async Task First_list_uses_rv_0_then_watches_from_the_list_rv_with_bookmarks_and_a_timeout()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10"), Pod("b", "11")], "100"));
        lw.NextWatch();
        var (informer, _, events) = Create(lw);
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await FakeTime.Until(() => lw.WatchRequests.Count == 1);

        Assert.Equal("0", lw.ListRequests.Single().ResourceVersion);
        var watch = lw.WatchRequests[0];
        Assert.Equal("100", watch.ResourceVersion);
        Assert.True(watch.AllowWatchBookmarks);
        Assert.InRange(watch.TimeoutSeconds!.Value, 300, 599);
        Assert.Equal(450, watch.TimeoutSeconds); // 300 × (1 + 0.5)
        Assert.Equal(2, informer.Store.Count);
        await FakeTime.Until(() => events.Lines.Count == 2);
        Assert.Equal(["add default/a initial", "add default/b initial"], events.Lines.Order());
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_normal_watch_close_rewatches_from_the_last_seen_rv_without_relisting()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "100"));
        var w1 = lw.NextWatch();
        lw.NextWatch();
        var (informer, time, events) = Create(lw);
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20));
        w1.TryWrite(Ev(WatchEventKind.Modified, Pod("a", "101")));
        w1.TryWrite(Ev(WatchEventKind.Bookmark, new V1Pod { Metadata = new V1ObjectMeta { ResourceVersion = "150" } }));
        time.Advance(TimeSpan.FromSeconds(5));
        w1.Complete();
        await FakeTime.Until(() => lw.WatchRequests.Count == 2);

        Assert.Equal("150", lw.WatchRequests[1].ResourceVersion);
        Assert.Single(lw.ListRequests);
        Assert.Equal("101", informer.Store.Get("default/a")!.Metadata.ResourceVersion);
        await FakeTime.Until(() => events.Lines.Contains("update default/a 10->101"));
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_410_on_watch_relists_from_the_last_seen_rv_after_a_backoff()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "100"));
        var w1 = lw.NextWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "300"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw);
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20));
        w1.TryWrite(Ev(WatchEventKind.Modified, Pod("a", "120")));
        await FakeTime.Until(() => informer.LastSyncResourceVersion == "120");
        w1.Complete(new ResourceExpiredException(Expired));
        var failedAt = time.GetUtcNow();
        await FakeTime.Until(() => informer.Statistics.Failures == 1);
        Assert.Single(lw.ListRequests); // not before the backoff
        await time.AdvanceUntil(() => lw.ListRequests.Count == 2, TimeSpan.FromMilliseconds(100));

        Assert.True(time.GetUtcNow() - failedAt >= TimeSpan.FromSeconds(1.2), "backoff 0.8 s × (1 + 0.5 jitter)");
        Assert.Equal("120", lw.ListRequests[1].ResourceVersion);
        Assert.Equal(1, informer.Statistics.WatchExpired);
        await FakeTime.Until(() => lw.WatchRequests.Count == 2);
        Assert.Equal("300", lw.WatchRequests[1].ResourceVersion);
        await informer.StopAsync();
    }

    [Theory]
    [InlineData(410)]
    [InlineData(504)]
    public async Task A_list_that_fails_with_expired_or_too_large_retries_at_once_with_an_empty_rv(int code)
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "100"));
        var w1 = lw.NextWatch();
        lw.NextListFails(KubernetesStatusException.From(code == 410 ? Expired : TooLarge));
        lw.NextList(new ListAnswer([Pod("a", "10")], "500"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw);
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20));
        w1.Complete(new ResourceExpiredException(Expired));
        await time.AdvanceUntil(() => lw.ListRequests.Count == 3, TimeSpan.FromMilliseconds(100));

        Assert.Equal(["0", "100", ""], lw.ListRequests.Select(r => r.ResourceVersion));
        await FakeTime.Until(() => lw.WatchRequests.Count == 2);
        Assert.Equal("500", lw.WatchRequests[1].ResourceVersion);
        await informer.StopAsync();
    }

    [Fact]
    public async Task Failed_lists_back_off_as_client_go()
    {
        var lw = new ScriptedListWatch();
        var arrivals = new List<DateTimeOffset>();
        TimerTrackingTime? clock = null;
        for (int i = 0; i < 5; i++)
            lw.NextList(_ => { arrivals.Add(clock!.GetUtcNow()); return new ListAnswer(null, Error: new IOException("connection refused")); });
        var (informer, time, _) = Create(lw, o => o with { Random = new FixedRandom(0) });
        clock = time;
        informer.Start();
        // Time moves only once the reflector has armed its backoff delay, and exactly to its deadline.
        for (int failures = 1; failures < 5; failures++)
        {
            await FakeTime.Until(() => arrivals.Count == failures && time.ArmedCount == 1);
            time.AdvanceToNextTimer();
        }
        await FakeTime.Until(() => arrivals.Count == 5);
        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => Math.Round((b - a).TotalSeconds, 1)).ToArray();
        Assert.Equal([0.8, 1.6, 3.2, 6.4], gaps);
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_relist_applies_a_diff_skips_unchanged_objects_and_tombstones_the_missing()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "1"), Pod("b", "1"), Pod("c", "1")], "100"));
        var w1 = lw.NextWatch();
        lw.NextList(new ListAnswer([Pod("a", "1"), Pod("b", "2"), Pod("d", "1")], "200"));
        lw.NextWatch();
        var (informer, time, events) = Create(lw);
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await FakeTime.Until(() => events.Lines.Count == 3);
        events.Lines.Clear();
        w1.Complete(new ResourceExpiredException(Expired));
        await time.AdvanceUntil(() => lw.WatchRequests.Count == 2, TimeSpan.FromMilliseconds(100));
        await FakeTime.Until(() => events.Lines.Count == 3);

        Assert.Equal(["add default/d", "delete default/c tombstone", "update default/b 1->2"], events.Lines.Order());
        Assert.Equal(["default/a", "default/b", "default/d"], informer.Store.ListKeys().Order());
        Assert.Equal(1, informer.Statistics.ItemsUnchanged);
        await informer.StopAsync();
    }

    [Fact]
    public async Task Paging_falls_back_to_a_full_list_when_the_continue_token_expires()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "1"), Pod("b", "1")], "100", Continue: "c1"));
        lw.NextListFails(new ResourceExpiredException(Expired));
        lw.NextList(new ListAnswer([Pod("a", "1"), Pod("b", "1"), Pod("c", "1")], "120"));
        lw.NextWatch();
        var (informer, _, _) = Create(lw, o => o with { PageSize = 2, InitialResourceVersion = "" });
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(3, lw.ListRequests.Count);
        Assert.Equal((2, (string?)null, ""), (lw.ListRequests[0].Limit!.Value, lw.ListRequests[0].Continue, lw.ListRequests[0].ResourceVersion));
        Assert.Equal(("c1", (string?)null), (lw.ListRequests[1].Continue, lw.ListRequests[1].ResourceVersion));
        Assert.Equal(((int?)null, (string?)null, ""), (lw.ListRequests[2].Limit, lw.ListRequests[2].Continue, lw.ListRequests[2].ResourceVersion));
        Assert.Equal(3, informer.Store.Count);
        await FakeTime.Until(() => lw.WatchRequests.Count == 1);
        Assert.Equal("120", lw.WatchRequests[0].ResourceVersion);
        await informer.StopAsync();
    }

    [Fact]
    public async Task WatchList_syncs_from_initial_events_and_keeps_watching_on_the_same_stream()
    {
        var lw = new ScriptedListWatch();
        var w1 = lw.NextWatch();
        var (informer, _, events) = Create(lw, o => o with { UseWatchList = true });
        informer.Start();
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("a", "5")));
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("b", "6")));
        w1.TryWrite(Ev(WatchEventKind.Bookmark, EndBookmark("60")));
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20));
        w1.TryWrite(Ev(WatchEventKind.Modified, Pod("a", "61")));
        await FakeTime.Until(() => events.Lines.Contains("update default/a 5->61"));

        var watch = lw.WatchRequests.Single();
        Assert.True(watch.SendInitialEvents);
        Assert.Equal("NotOlderThan", watch.ResourceVersionMatch);
        Assert.Equal("", watch.ResourceVersion);
        Assert.Empty(lw.ListRequests);
        Assert.Equal("61", informer.LastSyncResourceVersion);
        await informer.StopAsync();
    }

    [Fact]
    public async Task WatchList_refused_with_a_4xx_falls_back_to_list_and_watch()
    {
        var lw = new ScriptedListWatch();
        lw.NextWatch().Complete(KubernetesStatusException.From(new V1Status { Code = 422, Reason = "Invalid", Message = "sendInitialEvents not supported" }));
        lw.NextList(new ListAnswer([Pod("a", "1")], "100"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw, o => o with { UseWatchList = true });
        informer.Start();
        await time.AdvanceUntil(() => informer.HasSynced, TimeSpan.FromMilliseconds(100));
        Assert.Single(lw.ListRequests);
        await FakeTime.Until(() => lw.WatchRequests.Count == 2);
        Assert.Null(lw.WatchRequests[1].SendInitialEvents);
        await informer.StopAsync();
    }

    [Fact]
    public async Task WatchList_without_its_end_bookmark_times_out_and_falls_back()
    {
        var lw = new ScriptedListWatch();
        var ignored = lw.NextWatch(); // a server that ignores sendInitialEvents: adds, but never the end bookmark
        ignored.TryWrite(Ev(WatchEventKind.Added, Pod("a", "5")));
        lw.NextList(new ListAnswer([Pod("a", "5"), Pod("b", "7")], "100"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw, o => o with { UseWatchList = true, WatchListTimeout = TimeSpan.FromSeconds(30) });
        informer.Start();
        await FakeTime.Until(() => lw.WatchRequests.Count == 1);
        Assert.False(informer.HasSynced);
        await time.AdvanceUntil(() => informer.HasSynced, TimeSpan.FromSeconds(1));
        Assert.True(time.GetUtcNow() - DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture) >= TimeSpan.FromSeconds(30));
        Assert.Single(lw.ListRequests);
        Assert.Equal(2, informer.Store.Count);
        await informer.StopAsync();
    }

    [Fact]
    public async Task Two_informers_sharing_a_gate_never_relist_at_the_same_time()
    {
        var gate = new RelistGate();
        var lw1 = new ScriptedListWatch();
        var lw2 = new ScriptedListWatch();
        lw1.NextList(new ListAnswer([Pod("a", "1")], "10"));
        lw2.NextList(new ListAnswer([Pod("b", "1")], "20"));
        lw1.NextWatch();
        lw2.NextWatch();
        var (i1, _, _) = Create(lw1, o => o with { RelistGate = gate });
        var (i2, _, _) = Create(lw2, o => o with { RelistGate = gate });
        var held = await gate.EnterAsync(CancellationToken.None); // a relist in flight elsewhere
        i1.Start();
        i2.Start();
        await FakeTime.Until(() => gate.Waiting == 2);
        Assert.Empty(lw1.ListRequests); // both wait at the gate: nothing was asked of the server
        Assert.Empty(lw2.ListRequests);
        held.Dispose();
        Assert.True(await i1.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(await i2.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(1, gate.MaxInFlight);
        Assert.Equal(3, gate.Entered);
        Assert.Equal(0, i1.Statistics.Failures + i2.Statistics.Failures); // waiting is not failing
        await i1.StopAsync();
        await i2.StopAsync();
    }
}
