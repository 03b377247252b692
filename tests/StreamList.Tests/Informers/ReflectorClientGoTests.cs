using k8s.Models;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Tests.Support;
using StreamList.Watching;
using static StreamList.Tests.Support.ReflectorHarness;
using static StreamList.Tests.Support.ScriptedListWatch;

namespace StreamList.Tests.Informers;

/// <summary>
/// The reflector rules a real apiserver punishes when broken (docs/reflector-and-client-go.md),
/// each against a scripted list/watch in fake time, asserting on what was requested and counted.
/// </summary>
public class ReflectorClientGoTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_relist_at_a_known_rv_is_sent_without_a_limit_so_the_watch_cache_serves_it()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "100"));
        var w1 = lw.NextWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "300"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw);
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        w1.TryWrite(Ev(WatchEventKind.Modified, Pod("a", "120")));
        w1.Complete(new ResourceExpiredException(Expired));
        await time.AdvanceUntil(() => lw.ListRequests.Count == 2, TimeSpan.FromMilliseconds(100));

        Assert.Equal(("0", 500), (lw.ListRequests[0].ResourceVersion, lw.ListRequests[0].Limit)); // the server ignores it at "0"
        Assert.Equal(("120", (int?)null), (lw.ListRequests[1].ResourceVersion, lw.ListRequests[1].Limit));
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_paginated_first_list_means_no_watch_cache_so_relists_keep_paging()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "100", Continue: "page2"));
        lw.NextList(new ListAnswer([Pod("b", "11")], "100"));
        var w1 = lw.NextWatch();
        lw.NextList(new ListAnswer([Pod("a", "10"), Pod("b", "11")], "300"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw);
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        w1.Complete(new ResourceExpiredException(Expired));
        await time.AdvanceUntil(() => lw.ListRequests.Count == 3, TimeSpan.FromMilliseconds(100));

        Assert.Equal(("100", 500), (lw.ListRequests[2].ResourceVersion, lw.ListRequests[2].Limit));
        await informer.StopAsync();
    }

    [Theory]
    [InlineData(50, 50)]
    [InlineData(0, null)]
    public async Task An_explicit_page_size_applies_to_every_list(int pageSize, int? sent)
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "100"));
        var w1 = lw.NextWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "300"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw, o => o with { PageSize = pageSize });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        w1.Complete(new ResourceExpiredException(Expired));
        await time.AdvanceUntil(() => lw.ListRequests.Count == 2, TimeSpan.FromMilliseconds(100));

        Assert.Equal([sent, sent], lw.ListRequests.Select(r => r.Limit));
        await informer.StopAsync();
    }

    [Fact]
    public async Task The_synthetic_adds_of_a_WatchList_do_not_move_the_last_seen_rv()
    {
        var lw = new ScriptedListWatch();
        var cut = lw.NextWatch();
        cut.TryWrite(Ev(WatchEventKind.Added, Pod("a", "900"))); // key order, not RV order
        cut.TryWrite(Ev(WatchEventKind.Added, Pod("b", "5")));
        cut.Complete(new IOException("connection reset"));     // before its end bookmark
        lw.NextList(new ListAnswer([Pod("a", "900"), Pod("b", "5")], "950"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw, o => o with { UseWatchList = true });
        informer.Start();
        await time.AdvanceUntil(() => informer.HasSynced, TimeSpan.FromMilliseconds(100));

        Assert.Equal("0", lw.ListRequests.Single().ResourceVersion); // a fresh list, never at an object's RV
        await FakeTime.Until(() => lw.WatchRequests.Count == 2);
        Assert.Equal("950", lw.WatchRequests[1].ResourceVersion);
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_WatchList_syncs_at_its_end_bookmark_rv_whatever_its_adds_carry()
    {
        var lw = new ScriptedListWatch();
        var w1 = lw.NextWatch();
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("a", "70")));
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("b", "5")));
        w1.TryWrite(Ev(WatchEventKind.Bookmark, EndBookmark("60")));
        var (informer, _, _) = Create(lw, o => o with { UseWatchList = true });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        Assert.Equal("60", informer.LastSyncResourceVersion);
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_watch_from_an_empty_rv_takes_rvs_only_from_its_first_event_that_is_not_an_add()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([], "")); // a list function that reports no resourceVersion
        var w1 = lw.NextWatch();
        lw.NextWatch();
        var (informer, time, _) = Create(lw);
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("a", "900")));
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("b", "5")));
        await FakeTime.Until(() => informer.Store.Count == 2);
        Assert.Null(informer.LastSyncResourceVersion);
        w1.TryWrite(Ev(WatchEventKind.Modified, Pod("b", "950")));
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("c", "951")));
        await FakeTime.Until(() => informer.Store.Count == 3);
        Assert.Equal("951", informer.LastSyncResourceVersion);
        time.Advance(TimeSpan.FromSeconds(5));
        w1.Complete();
        await FakeTime.Until(() => lw.WatchRequests.Count == 2);
        Assert.Equal("951", lw.WatchRequests[1].ResourceVersion);
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_watch_refused_with_too_large_rv_relists_with_a_consistent_read_and_watches_from_there()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "1000"));
        var w1 = lw.NextWatch();
        lw.NextWatch().Complete(KubernetesStatusException.From(TooLarge)); // the server's revision went back (etcd restore)
        lw.NextList(new ListAnswer([Pod("a", "10")], "800"));
        lw.NextWatch();
        var (informer, time, _) = Create(lw);
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        time.Advance(TimeSpan.FromSeconds(5));
        w1.Complete(); // the restore ended every open watch
        await time.AdvanceUntil(() => lw.WatchRequests.Count == 3, TimeSpan.FromMilliseconds(100));

        Assert.Equal(["1000", "1000", "800"], lw.WatchRequests.Select(r => r.ResourceVersion));
        Assert.Equal(["0", ""], lw.ListRequests.Select(r => r.ResourceVersion));
        Assert.Equal("800", informer.LastSyncResourceVersion);
        await informer.StopAsync();
    }

    [Theory]
    [InlineData("cause")]
    [InlineData("message")]
    [InlineData("other")]
    public void Too_large_rv_is_the_cause_or_for_old_servers_a_504_message(string form)
    {
        var status = form switch
        {
            "cause" => new V1Status { Code = 504, Reason = "Timeout", Details = new V1StatusDetails { Causes = [new V1StatusCause { Reason = "ResourceVersionTooLarge" }] } },
            "message" => new V1Status { Code = 504, Reason = "Timeout", Message = "Too large resource version: 1000, current: 800" },
            _ => new V1Status { Code = 500, Reason = "InternalError", Message = "Too large resource version" },
        };
        Assert.Equal(form != "other", ResourceVersionRules.IsTooLargeResourceVersion(KubernetesStatusException.From(status)));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task A_refused_WatchList_falls_back_for_one_pass_and_the_next_relist_tries_it_again(int code)
    {
        var lw = new ScriptedListWatch();
        lw.NextWatch().Complete(KubernetesStatusException.From(new V1Status { Code = code, Reason = "Forbidden" }));
        lw.NextList(new ListAnswer([Pod("a", "1")], "100"));
        var w2 = lw.NextWatch();
        var w3 = lw.NextWatch();
        w3.TryWrite(Ev(WatchEventKind.Added, Pod("a", "1")));
        w3.TryWrite(Ev(WatchEventKind.Bookmark, EndBookmark("200")));
        var (informer, time, _) = Create(lw, o => o with { UseWatchList = true });
        informer.Start();
        await time.AdvanceUntil(() => informer.HasSynced, TimeSpan.FromMilliseconds(100));
        await FakeTime.Until(() => lw.WatchRequests.Count == 2);
        w2.Complete(new ResourceExpiredException(Expired));
        await time.AdvanceUntil(() => informer.LastSyncResourceVersion == "200", TimeSpan.FromMilliseconds(100));

        Assert.Equal([true, null, true], lw.WatchRequests.Select(r => r.SendInitialEvents));
        Assert.Single(lw.ListRequests);
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_WatchList_answered_429_only_backs_off_and_tries_WatchList_again()
    {
        var lw = new ScriptedListWatch();
        lw.NextWatch().Complete(KubernetesStatusException.From(new V1Status { Code = 429, Reason = "TooManyRequests" }));
        var w2 = lw.NextWatch();
        w2.TryWrite(Ev(WatchEventKind.Added, Pod("a", "1")));
        w2.TryWrite(Ev(WatchEventKind.Bookmark, EndBookmark("100")));
        var (informer, time, _) = Create(lw, o => o with { UseWatchList = true });
        informer.Start();
        await time.AdvanceUntil(() => informer.HasSynced, TimeSpan.FromMilliseconds(100));

        Assert.Empty(lw.ListRequests);
        Assert.Equal([true, true], lw.WatchRequests.Select(r => r.SendInitialEvents));
        Assert.Equal(1, informer.Statistics.Failures);
        await informer.StopAsync();
    }

    [Fact]
    public async Task The_WatchList_timeout_starts_inside_the_relist_gate()
    {
        var gate = new RelistGate();
        var lw = new ScriptedListWatch();
        var w1 = lw.NextWatch();
        var (informer, time, _) = Create(lw, o => o with { UseWatchList = true, RelistGate = gate, WatchListTimeout = TimeSpan.FromSeconds(30) });
        var held = await gate.EnterAsync(CancellationToken.None);
        informer.Start();
        await FakeTime.Until(() => gate.Waiting == 1);
        time.Advance(TimeSpan.FromMinutes(5)); // far past the timeout, all of it at the gate
        held.Dispose();
        await FakeTime.Until(() => lw.WatchRequests.Count == 1);
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("a", "1")));
        w1.TryWrite(Ev(WatchEventKind.Bookmark, EndBookmark("100")));
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));

        Assert.Equal(0, informer.Statistics.Failures);
        Assert.Empty(lw.ListRequests);
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_WatchList_relist_skips_unchanged_objects()
    {
        var lw = new ScriptedListWatch();
        var w1 = lw.NextWatch();
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("a", "10")));
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("b", "11")));
        w1.TryWrite(Ev(WatchEventKind.Bookmark, EndBookmark("100")));
        var w2 = lw.NextWatch();
        w2.TryWrite(Ev(WatchEventKind.Added, Pod("a", "10")));
        w2.TryWrite(Ev(WatchEventKind.Added, Pod("b", "12")));
        w2.TryWrite(Ev(WatchEventKind.Bookmark, EndBookmark("200")));
        var (informer, time, events) = Create(lw, o => o with { UseWatchList = true });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        await FakeTime.Until(() => events.Lines.Count == 2);
        events.Lines.Clear();
        w1.Complete(new ResourceExpiredException(Expired));
        await time.AdvanceUntil(() => informer.LastSyncResourceVersion == "200", TimeSpan.FromMilliseconds(100));
        await FakeTime.Until(() => events.Lines.Count == 1);

        Assert.Equal(["update default/b 11->12"], events.Lines);
        Assert.Equal(1, informer.Statistics.ItemsUnchanged);
        Assert.Equal("100", lw.WatchRequests[1].ResourceVersion);
        await informer.StopAsync();
    }

    [Fact]
    public async Task A_bad_event_is_skipped_and_counted_and_the_watch_goes_on()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "100"));
        var w1 = lw.NextWatch();
        var (informer, _, events) = Create(lw, o => o with
        {
            Transform = p => p.Metadata.Name == "poison" ? throw new InvalidOperationException("cannot transform") : p,
        });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        w1.TryWrite(Ev(WatchEventKind.Added, Pod("poison", "101")));
        w1.TryWrite(Ev(WatchEventKind.Added, new V1Pod { Metadata = new V1ObjectMeta { NamespaceProperty = "default", ResourceVersion = "102" } }));
        w1.TryWrite(Ev(WatchEventKind.Deleted, new V1Pod { Metadata = new V1ObjectMeta { ResourceVersion = "103" } }));
        w1.TryWrite(Ev(WatchEventKind.Modified, Pod("a", "104")));
        await FakeTime.Until(() => events.Lines.Contains("update default/a 10->104"));

        Assert.Equal(3, informer.Statistics.ObjectsSkipped);
        Assert.Equal(0, informer.Statistics.Failures);
        Assert.Single(lw.WatchRequests); // the same watch goes on: nothing is re-delivered
        Assert.Equal("104", informer.LastSyncResourceVersion);
        Assert.Equal(["default/a"], informer.Store.ListKeys());
        await informer.StopAsync();
    }

    [Fact]
    public async Task The_transform_runs_on_deleted_objects_too_and_one_that_throws_still_deletes()
    {
        // client-go's DeltaFIFO transforms every delta but a tombstone, deletes included.
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10"), Pod("b", "11")], "100"));
        var w1 = lw.NextWatch();
        var (informer, _, _) = Create(lw, o => o with
        {
            Transform = p =>
            {
                if (p.Metadata.ResourceVersion == "666")
                    throw new InvalidOperationException("cannot transform");
                p.Metadata.Labels = new Dictionary<string, string> { ["transformed"] = "yes" };
                return p;
            },
        });
        var deleted = new List<V1Pod>();
        informer.AddEventHandler(ResourceEventHandler<V1Pod>.From(onDelete: (pod, _) =>
        {
            lock (deleted)
                deleted.Add(pod);
        }));
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        w1.TryWrite(Ev(WatchEventKind.Deleted, Pod("a", "101")));
        w1.TryWrite(Ev(WatchEventKind.Deleted, Pod("b", "666")));
        await FakeTime.Until(() => { lock (deleted) return deleted.Count == 2; });

        Assert.Empty(informer.Store.ListKeys());
        Assert.Equal(0, informer.Statistics.ObjectsSkipped);
        lock (deleted)
        {
            Assert.Equal("yes", deleted.Single(p => p.Metadata.Name == "a").Metadata.Labels["transformed"]);
            Assert.Null(deleted.Single(p => p.Metadata.Name == "b").Metadata.Labels); // handed out as received
        }
        await informer.StopAsync();
    }

    [Fact]
    public async Task WaitForSync_completes_false_when_the_informer_stops_before_it_synced()
    {
        var lw = new ScriptedListWatch(); // no list answer: it never syncs
        var (informer, _, _) = Create(lw);
        informer.Start();
        var waiting = informer.WaitForSyncAsync();
        await FakeTime.Until(() => lw.ListRequests.Count == 1);
        await informer.StopAsync();
        Assert.False(await waiting.WaitAsync(Guard));
        Assert.False(await informer.WaitForSyncAsync().WaitAsync(Guard));
    }

    [Fact]
    public async Task WaitForSync_completes_false_for_an_informer_stopped_without_starting()
    {
        var (informer, _, _) = Create(new ScriptedListWatch());
        var waiting = informer.WaitForSyncAsync();
        await informer.StopAsync();
        Assert.False(await waiting.WaitAsync(Guard));
    }

    [Fact]
    public async Task A_stopped_informer_and_its_cache_are_collectable()
    {
        var store = await StartSyncAndStopAsync();
        // Eventually, not at once: continuations queued as the informer stopped may still be on the
        // thread pool for a moment (three immediate collections saw it alive once in seven runs). A
        // real leak (a static gauge, a timer) never lets go, and the guard fails the test.
        try
        {
            await FakeTime.Until(() =>
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
                return !store.IsAlive;
            }, timeoutMs: 10_000);
        }
        catch (TimeoutException)
        {
            Assert.Fail("a stopped informer's store is still reachable 10 s after it was disposed");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> StartSyncAndStopAsync()
    {
        var lw = new ScriptedListWatch();
        lw.NextList(new ListAnswer([Pod("a", "10")], "100"));
        lw.NextWatch();
        var (informer, _, _) = Create(lw);
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));
        var store = new WeakReference(informer.Store);
        await informer.DisposeAsync();
        return store;
    }
}
