using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StreamList.Informers;

namespace StreamList.Tests.Informers;

/// <summary>
/// HandlerProcessor: per-handler ordered, isolated delivery; HasSynced per registration; removal,
/// stop, and resync in fake time. No test sleeps: each waits on what it expects, with
/// <see cref="Guard"/> only as a hang guard.
/// </summary>
public class HandlerProcessorTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private sealed record Item(string Name, int Version);

    private static Item I(string name, int version = 1) => new(name, version);

    private static StoreDelta<Item> Added(Item item) => new(DeltaType.Added, item.Name, null, item);

    private static StoreDelta<Item> Updated(Item old, Item @new) => new(DeltaType.Updated, @new.Name, old, @new);

    private static StoreDelta<Item> Deleted(Item old, bool unknown = false) => new(DeltaType.Deleted, old.Name, old, null, unknown);

    private sealed class Fixture
    {
        public object SyncRoot { get; } = new();
        public FakeTimeProvider Time { get; } = new();
        public List<Item> Store { get; } = [];
        public int SnapshotCalls;
        public bool SnapshotOutsideLock;
        public ListLogger Logger { get; } = new();
        public HandlerProcessor<Item> Processor { get; }

        public Fixture(Func<object, Item>? read = null) => Processor = new HandlerProcessor<Item>(Time, Logger, Snapshot, SyncRoot, read);

        private List<Item> Snapshot()
        {
            Interlocked.Increment(ref SnapshotCalls);
            if (!Monitor.IsEntered(SyncRoot))
                SnapshotOutsideLock = true;
            return [.. Store];
        }

        /// <summary>What the informer does: snapshot the store and register, under its lock.</summary>
        public HandlerRegistration Add(IResourceEventHandler<Item> handler, TimeSpan? resync = null)
        {
            lock (SyncRoot)
                return Processor.AddHandler(handler, [.. Store], resync);
        }

        /// <summary>What the informer does: apply a change to the store and distribute it, under its lock.</summary>
        public void Apply(StoreDelta<Item> delta)
        {
            lock (SyncRoot)
            {
                Store.RemoveAll(x => x.Name == delta.Key);
                if (delta.Type != DeltaType.Deleted)
                    Store.Add(delta.New!);
                Processor.Distribute(delta);
            }
        }
    }

    /// <summary>Records each call as a line; an optional hook runs first (to block or throw).</summary>
    private sealed class Recorder : IResourceEventHandler<Item>
    {
        private readonly Lock _lock = new();
        private readonly List<string> _events = [];
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
        private int _active;

        public Func<string, CancellationToken, Task>? Hook { get; init; }

        public bool Overlapped { get; private set; }

        public List<string> Events
        {
            get
            {
                lock (_lock)
                    return [.. _events];
            }
        }

        public ValueTask OnAddAsync(Item obj, bool isInInitialList, CancellationToken cancellationToken) =>
            RecordAsync($"add {obj.Name}/{obj.Version}{(isInInitialList ? " initial" : "")}", cancellationToken);

        public ValueTask OnUpdateAsync(Item oldObj, Item newObj, CancellationToken cancellationToken) =>
            RecordAsync(ReferenceEquals(oldObj, newObj) ? $"resync {newObj.Name}/{newObj.Version}" : $"update {newObj.Name}/{oldObj.Version}->{newObj.Version}", cancellationToken);

        public ValueTask OnDeleteAsync(Item obj, bool finalStateUnknown, CancellationToken cancellationToken) =>
            RecordAsync($"delete {obj.Name}/{obj.Version}{(finalStateUnknown ? " unknown" : "")}", cancellationToken);

        private async ValueTask RecordAsync(string line, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _active) != 1)
                Overlapped = true;
            try
            {
                if (Hook is not null)
                    await Hook(line, cancellationToken);
                lock (_lock)
                {
                    _events.Add(line);
                    foreach (var waiter in _waiters.Where(w => w.Count <= _events.Count))
                        waiter.Done.TrySetResult();
                    _waiters.RemoveAll(w => w.Count <= _events.Count);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }

        /// <summary>Completes once <paramref name="count"/> calls have been recorded.</summary>
        public Task WaitForCountAsync(int count)
        {
            lock (_lock)
            {
                if (_events.Count >= count)
                    return Task.CompletedTask;
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                return done.Task.WaitAsync(Guard);
            }
        }
    }

    private sealed class ListLogger : ILogger
    {
        private readonly Lock _lock = new();
        private readonly List<(LogLevel Level, EventId Id, Exception? Exception, string Message)> _entries = [];

        public List<(LogLevel Level, EventId Id, Exception? Exception, string Message)> Entries
        {
            get
            {
                lock (_lock)
                    return [.. _entries];
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lock)
                _entries.Add((logLevel, eventId, exception, formatter(state, exception)));
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task Current_contents_come_first_as_initial_adds_then_every_later_change()
    {
        var f = new Fixture();
        f.Store.AddRange([I("a"), I("b"), I("c")]);
        var h = new Recorder();
        var reg = f.Add(h);
        f.Apply(Added(I("d")));                 // before sync: part of the initial list
        f.Processor.MarkSynced();
        f.Apply(Updated(I("a"), I("a", 2)));
        f.Apply(Added(I("e")));                 // after sync: not
        f.Apply(Deleted(I("b")));
        f.Apply(Deleted(I("c"), unknown: true));
        lock (f.SyncRoot) // an update that carries no old state is delivered with old == new
            f.Processor.Distribute(new StoreDelta<Item>(DeltaType.Updated, "e", null, I("e", 2)));
        await h.WaitForCountAsync(9);
        Assert.Equal(
            ["add a/1 initial", "add b/1 initial", "add c/1 initial", "add d/1 initial", "update a/1->2",
             "add e/1", "delete b/1", "delete c/1 unknown", "resync e/2"],
            h.Events);
        Assert.Equal(1, f.Processor.HandlerCount);
        await reg.RemoveAsync();
        Assert.Equal(0, f.Processor.HandlerCount);
        Assert.Equal(9, reg.Delivered);
    }

    [Fact]
    public async Task Order_is_preserved_for_every_handler_and_calls_never_overlap()
    {
        var f = new Fixture();
        f.Processor.MarkSynced();
        var yielding = new Recorder { Hook = async (_, _) => await Task.Yield() };
        var plain = new Recorder();
        f.Add(yielding);
        f.Add(plain);
        const int n = 2000;
        var expected = new List<string>(n);
        var item = I("x", 0);
        f.Apply(Added(item));
        expected.Add("add x/0");
        for (int v = 1; v < n; v++)
        {
            var next = I("x", v);
            f.Apply(Updated(item, next));
            expected.Add($"update x/{v - 1}->{v}");
            item = next;
        }
        await Task.WhenAll(yielding.WaitForCountAsync(n), plain.WaitForCountAsync(n));
        Assert.Equal(expected, yielding.Events);
        Assert.Equal(expected, plain.Events);
        Assert.False(yielding.Overlapped);
        Assert.False(plain.Overlapped);
        await f.Processor.StopAsync();
    }

    [Fact]
    public async Task A_throwing_handler_is_logged_and_counted_affects_no_other_and_keeps_receiving()
    {
        var f = new Fixture();
        f.Processor.MarkSynced();
        var thrower = new Recorder
        {
            Hook = (line, _) => line.Contains("bad", StringComparison.Ordinal)
                ? throw new InvalidOperationException("handler bug on " + line)
                : Task.CompletedTask,
        };
        var asyncThrower = new Recorder
        {
            Hook = async (line, _) =>
            {
                await Task.Yield();
                if (line.Contains("bad", StringComparison.Ordinal))
                    throw new InvalidOperationException("async handler bug");
            },
        };
        var other = new Recorder();
        var throwerReg = f.Add(thrower);
        var asyncReg = f.Add(asyncThrower);
        var otherReg = f.Add(other);
        f.Apply(Added(I("ok1")));
        f.Apply(Added(I("bad1")));
        f.Apply(Added(I("ok2")));
        f.Apply(Added(I("bad2")));
        f.Apply(Added(I("ok3")));
        await Task.WhenAll(thrower.WaitForCountAsync(3), asyncThrower.WaitForCountAsync(3), other.WaitForCountAsync(5));
        await f.Processor.StopAsync(); // waits for the loops: the counters are final

        Assert.Equal(["add ok1/1", "add ok2/1", "add ok3/1"], thrower.Events);
        Assert.Equal(["add ok1/1", "add ok2/1", "add ok3/1"], asyncThrower.Events);
        Assert.Equal(["add ok1/1", "add bad1/1", "add ok2/1", "add bad2/1", "add ok3/1"], other.Events);
        Assert.Equal((3, 2), (throwerReg.Delivered, throwerReg.Failed));
        Assert.Equal((3, 2), (asyncReg.Delivered, asyncReg.Failed));
        Assert.Equal((5, 0), (otherReg.Delivered, otherReg.Failed));
        var errors = f.Logger.Entries.Where(e => e.Level == LogLevel.Error).ToList();
        Assert.Equal(4, errors.Count);
        Assert.All(errors, e => Assert.IsType<InvalidOperationException>(e.Exception));
        Assert.All(errors, e => Assert.Equal(4003, e.Id.Id));
    }

    [Fact]
    public async Task A_blocked_handler_delays_no_other_and_Distribute_never_waits()
    {
        var f = new Fixture();
        f.Store.Add(I("a"));
        f.Processor.MarkSynced();
        var release = NewSignal();
        var entered = NewSignal();
        var slow = new Recorder
        {
            Hook = async (_, _) =>
            {
                entered.TrySetResult();
                await release.Task;
            },
        };
        var fast = new Recorder();
        var slowReg = f.Add(slow);
        var fastReg = f.Add(fast);
        await entered.Task.WaitAsync(Guard); // the slow handler is now stuck in its first call

        const int n = 500;
        // On another thread, so that a Distribute that waited on the slow handler fails the test
        // through the guard instead of hanging it.
        await Task.Run(() =>
        {
            for (int i = 0; i < n; i++)
                f.Apply(Added(I("p" + i)));
        }).WaitAsync(Guard);
        await fast.WaitForCountAsync(n + 1);
        await fastReg.WaitForSyncAsync().WaitAsync(Guard);

        Assert.Empty(slow.Events);
        Assert.False(slowReg.HasSynced);
        Assert.Equal(n + 1, fast.Events.Count);

        release.SetResult();
        await slow.WaitForCountAsync(n + 1);
        await slowReg.WaitForSyncAsync().WaitAsync(Guard);
        Assert.Equal(fast.Events, slow.Events);
        await f.Processor.StopAsync();
    }

    [Fact]
    public async Task HasSynced_needs_MarkSynced_and_everything_queued_before_it_processed()
    {
        var f = new Fixture();
        f.Store.AddRange([I("a"), I("b")]);
        var cEntered = NewSignal();
        var cRelease = NewSignal();
        var h = new Recorder
        {
            Hook = async (line, ct) =>
            {
                if (line.StartsWith("add c/", StringComparison.Ordinal))
                {
                    cEntered.TrySetResult();
                    await cRelease.Task;
                }
                else if (line.StartsWith("add d/", StringComparison.Ordinal))
                {
                    await Task.Delay(Timeout.Infinite, ct); // after sync: must not hold HasSynced back
                }
            },
        };
        var reg = f.Add(h);
        await h.WaitForCountAsync(2);
        Assert.False(reg.HasSynced); // everything processed, but the informer has not synced

        f.Apply(Added(I("c")));      // part of the initial list; blocks in the handler
        await cEntered.Task.WaitAsync(Guard);
        f.Processor.MarkSynced();
        f.Apply(Added(I("d")));
        Assert.False(reg.HasSynced); // c, queued before the sync, is not processed yet
        var waiting = reg.WaitForSyncAsync();
        Assert.False(waiting.IsCompleted);

        cRelease.SetResult();
        await waiting.WaitAsync(Guard);
        Assert.True(reg.HasSynced);
        Assert.Equal(["add a/1 initial", "add b/1 initial", "add c/1 initial"], h.Events);

        await f.Processor.StopAsync(); // cancels d's call; not a failure
        Assert.True(reg.HasSynced);
        Assert.Equal(0, reg.Failed);
    }

    [Fact]
    public async Task A_handler_added_after_sync_is_synced_once_it_processed_its_initial_adds()
    {
        var f = new Fixture();
        f.Store.AddRange([I("a"), I("b")]);
        f.Processor.MarkSynced();

        lock (f.SyncRoot)
            Assert.True(f.Processor.AddHandler(new Recorder(), [], null).HasSynced); // nothing to process

        var release = NewSignal();
        var late = new Recorder { Hook = async (_, _) => await release.Task };
        var reg = f.Add(late);
        Assert.False(reg.HasSynced);
        var waiting = reg.WaitForSyncAsync();
        release.SetResult();
        await waiting.WaitAsync(Guard);
        Assert.Equal(["add a/1 initial", "add b/1 initial"], late.Events);
        await f.Processor.StopAsync();
    }

    [Fact]
    public async Task RemoveAsync_stops_delivery_and_cancels_the_running_call()
    {
        var f = new Fixture();
        f.Processor.MarkSynced();
        var stays = new Recorder();
        var removed = new Recorder();
        f.Add(stays);
        var reg = f.Add(removed);
        f.Apply(Added(I("a")));
        await removed.WaitForCountAsync(1);

        await reg.RemoveAsync();
        await reg.DisposeAsync(); // idempotent
        Assert.Equal(1, f.Processor.HandlerCount);
        f.Apply(Added(I("b")));
        await stays.WaitForCountAsync(2);
        Assert.Equal(["add a/1"], removed.Events);

        // Removal while a call is running: its token is cancelled, and what is queued is dropped.
        var entered = NewSignal();
        bool sawCancel = false;
        var blocked = new Recorder
        {
            Hook = async (_, ct) =>
            {
                entered.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    sawCancel = true;
                    throw;
                }
            },
        };
        var blockedReg = f.Add(blocked); // initial adds a, b
        await entered.Task.WaitAsync(Guard);
        await blockedReg.RemoveAsync().AsTask().WaitAsync(Guard);
        Assert.True(sawCancel);
        Assert.Empty(blocked.Events);
        Assert.Equal((0L, 0L), (blockedReg.Delivered, blockedReg.Failed));
        Assert.Equal(1, f.Processor.HandlerCount);
    }

    [Fact]
    public async Task A_handler_can_remove_itself_from_its_own_callback()
    {
        var f = new Fixture();
        f.Store.AddRange([I("a"), I("b")]);
        var registration = new TaskCompletionSource<HandlerRegistration>(TaskCreationOptions.RunContinuationsAsynchronously);
        var removedItself = NewSignal();
        var h = new Recorder
        {
            Hook = async (_, _) =>
            {
                var reg = await registration.Task;
                await reg.RemoveAsync(); // must not wait for the call it is made from
                removedItself.TrySetResult();
            },
        };
        registration.SetResult(f.Add(h));
        await removedItself.Task.WaitAsync(Guard);
        await f.Processor.StopAsync().WaitAsync(Guard);
        Assert.Equal(["add a/1 initial"], h.Events); // b was dropped
    }

    [Fact]
    public async Task StopAsync_cancels_handlers_completes_queues_and_refuses_new_work()
    {
        var f = new Fixture();
        f.Store.AddRange([I("a"), I("b"), I("c")]);
        var entered = NewSignal();
        var blocked = new Recorder
        {
            Hook = async (_, ct) =>
            {
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            },
        };
        var idle = new Recorder();
        var blockedReg = f.Add(blocked);
        var idleReg = f.Add(idle);
        await entered.Task.WaitAsync(Guard);
        await idle.WaitForCountAsync(3);

        var stop = f.Processor.StopAsync();
        Assert.Same(stop, f.Processor.StopAsync());
        await stop.WaitAsync(Guard);

        Assert.Equal(0, f.Processor.HandlerCount);
        Assert.Empty(blocked.Events);
        Assert.Equal((0L, 0L), (blockedReg.Delivered, blockedReg.Failed));
        Assert.Equal(3, idleReg.Delivered);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blockedReg.WaitForSyncAsync()); // never synced
        f.Apply(Added(I("d"))); // ignored
        Assert.Throws<ObjectDisposedException>(() => f.Add(new Recorder()));
        await blockedReg.RemoveAsync(); // harmless after stop
    }

    [Fact]
    public async Task Resync_delivers_every_object_as_an_update_to_itself_each_period_until_removed()
    {
        var f = new Fixture();
        f.Store.AddRange([I("a"), I("b")]);
        f.Processor.MarkSynced();
        var period = TimeSpan.FromSeconds(30);
        var h = new Recorder();
        var withResync = f.Add(h, period);
        var noResync = new Recorder();
        f.Add(noResync, resync: null);
        await h.WaitForCountAsync(2);

        // Not before the period. A resync is queued synchronously by the timer under Advance, so a
        // change applied afterwards would arrive after it: its absence before the marker proves none.
        f.Time.Advance(period - TimeSpan.FromTicks(1));
        f.Apply(Added(I("m1")));
        await h.WaitForCountAsync(3);
        Assert.Equal(0, f.SnapshotCalls);

        f.Time.Advance(TimeSpan.FromTicks(1));
        f.Apply(Added(I("m2")));
        await h.WaitForCountAsync(7);
        Assert.Equal(
            ["add a/1 initial", "add b/1 initial", "add m1/1", "resync a/1", "resync b/1", "resync m1/1", "add m2/1"],
            h.Events);

        f.Time.Advance(period);
        f.Apply(Added(I("m3")));
        await h.WaitForCountAsync(12);
        Assert.Equal(["resync a/1", "resync b/1", "resync m1/1", "resync m2/1", "add m3/1"], h.Events.Skip(7));
        Assert.Equal(2, f.SnapshotCalls);
        Assert.False(f.SnapshotOutsideLock);

        await withResync.RemoveAsync();
        f.Time.Advance(period * 3);
        Assert.Equal(2, f.SnapshotCalls);
        Assert.Equal(12, h.Events.Count);
        await noResync.WaitForCountAsync(5);
        Assert.DoesNotContain(noResync.Events, e => e.StartsWith("resync", StringComparison.Ordinal));
        await f.Processor.StopAsync();
    }

    [Fact]
    public async Task Replay_and_resync_payloads_are_read_on_the_handlers_loop_never_under_the_lock()
    {
        // A compact store hands out payloads that must be decoded; at 500k objects a decode under the
        // informer's lock would stall the watch for seconds. read() records whether it ran under it.
        int reads = 0;
        bool underLock = false;
        Fixture f = null!;
        f = new Fixture(payload =>
        {
            Interlocked.Increment(ref reads);
            if (Monitor.IsEntered(f.SyncRoot))
                underLock = true;
            var item = (Item)payload;
            return item with { Version = item.Version + 100 };
        });
        f.Store.AddRange([I("a"), I("b")]);
        f.Processor.MarkSynced();
        var h = new Recorder();
        var period = TimeSpan.FromSeconds(30);
        f.Add(h, period);
        await h.WaitForCountAsync(2);
        f.Time.Advance(period);
        await h.WaitForCountAsync(4);

        Assert.Equal(["add a/101 initial", "add b/101 initial", "resync a/101", "resync b/101"], h.Events);
        Assert.Equal(4, Volatile.Read(ref reads));
        Assert.False(underLock);
        await f.Processor.StopAsync();
    }

    [Fact]
    public async Task Resync_waits_for_the_informer_to_sync()
    {
        var f = new Fixture();
        f.Store.Add(I("a"));
        var h = new Recorder();
        f.Add(h, TimeSpan.FromSeconds(1));
        f.Time.Advance(TimeSpan.FromSeconds(1)); // the store is still partial: skipped
        Assert.Equal(0, f.SnapshotCalls);
        f.Processor.MarkSynced();
        f.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, f.SnapshotCalls);
        await h.WaitForCountAsync(2);
        Assert.Equal(["add a/1 initial", "resync a/1"], h.Events);
        await f.Processor.StopAsync();
    }

    [Fact]
    public async Task A_resync_never_delivers_a_state_older_than_a_change_already_delivered()
    {
        var f = new Fixture();
        string[] names = ["k0", "k1", "k2", "k3"];
        f.Store.AddRange(names.Select(n => I(n, 0)));
        f.Processor.MarkSynced();
        var lastSeen = new Dictionary<string, int>();
        var regressions = new List<string>();
        int resyncs = 0;
        var end = NewSignal();
        var checker = new ResourceEventHandler<Item>
        {
            OnAdd = (o, _, _) =>
            {
                if (o.Name == "end")
                    end.SetResult();
                return Seen(o, resync: false);
            },
            OnUpdate = (old, o, _) => Seen(o, resync: ReferenceEquals(old, o)),
        };
        f.Add(checker, TimeSpan.FromSeconds(1));

        var writer = Task.Run(() =>
        {
            for (int v = 1; v <= 400; v++)
            {
                foreach (var name in names)
                {
                    Item old;
                    lock (f.SyncRoot)
                        old = f.Store.Single(x => x.Name == name);
                    f.Apply(Updated(old, I(name, v)));
                }
            }
        });
        int ticks = 0;
        var ticker = Task.Run(() =>
        {
            // Resyncs for as long as the writer writes (and at least 50), to interleave the two.
            while (!writer.IsCompleted || ticks < 50)
            {
                f.Time.Advance(TimeSpan.FromSeconds(1));
                ticks++;
            }
        });
        await Task.WhenAll(writer, ticker).WaitAsync(Guard);
        f.Apply(Added(I("end"))); // queued after every update and resync
        await end.Task.WaitAsync(Guard);
        await f.Processor.StopAsync().WaitAsync(Guard);

        Assert.Empty(regressions);
        Assert.Equal(ticks * names.Length, resyncs);
        Assert.False(f.SnapshotOutsideLock);

        ValueTask Seen(Item o, bool resync)
        {
            if (resync)
                resyncs++;
            if (lastSeen.TryGetValue(o.Name, out int last) && o.Version < last)
                regressions.Add($"{o.Name}: {o.Version} after {last}{(resync ? " (resync)" : "")}");
            lastSeen[o.Name] = o.Version;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task ResourceEventHandler_From_calls_the_given_delegates()
    {
        var f = new Fixture();
        f.Store.Add(I("a"));
        var seen = new List<string>();
        var done = NewSignal();
        var reg = f.Add(ResourceEventHandler<Item>.From(
            onAdd: (o, initial) => seen.Add($"add {o.Name} {initial}"),
            onUpdate: (old, o) => seen.Add($"update {old.Version}->{o.Version}"),
            onDelete: (o, unknown) =>
            {
                seen.Add($"delete {o.Name} {unknown}");
                done.SetResult();
            }));
        f.Processor.MarkSynced();
        f.Apply(Updated(I("a"), I("a", 2)));
        f.Apply(Deleted(I("a", 2), unknown: true));
        await done.Task.WaitAsync(Guard);
        await reg.RemoveAsync();
        Assert.Equal(["add a True", "update 1->2", "delete a True"], seen);
        Assert.Equal(3, reg.Delivered);

        // Null delegates are ignored (delivered); a throwing one fails like any handler.
        var deleted = NewSignal();
        var partial = f.Add(ResourceEventHandler<Item>.From(onDelete: (_, _) =>
        {
            deleted.SetResult();
            throw new InvalidOperationException();
        }));
        f.Apply(Added(I("b")));
        f.Apply(Updated(I("b"), I("b", 2)));
        f.Apply(Deleted(I("b", 2)));
        await deleted.Task.WaitAsync(Guard);
        await partial.RemoveAsync(); // waits for the loop: the counters are final
        Assert.Equal((2L, 1L), (partial.Delivered, partial.Failed));
        await f.Processor.StopAsync();
    }
}
