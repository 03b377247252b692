using StreamList.Testing.Fixture;

namespace StreamList.Testing.Server;

/// <summary>
/// The server's background churn: MODIFIED events at a steady rate and periodic compaction, for
/// watch storms in tests, benchmarks and the demo.
/// </summary>
/// <remarks>
/// Contract: one loop at a time, driven by the server's <see cref="TimeProvider"/> (a tick every
/// <see cref="Tick"/>). At each tick it brings the events made since the storm started up to
/// <c>rate × elapsed</c> (never more than one second's worth behind: a stalled or fast-forwarded
/// clock does not cause an unbounded burst), each a <see cref="PodPopulation.Modify"/> of a live
/// pod drawn from a <see cref="FixtureRandom"/> keyed by (population seed, storm number): in fake
/// time the same steps give the same changes. Every <c>compactEvery</c> it calls the compaction
/// it was given. <see cref="StopAsync"/> (and disposal) cancel the loop and wait for it.
/// </remarks>
internal sealed class StormLoop(PodPopulation population, Action compact, TimeProvider time) : IAsyncDisposable
{
    /// <summary>How often the loop wakes up.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private static readonly TimeSpan s_maxBehind = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private CancellationTokenSource? _cancel;
    private Task _running = Task.CompletedTask;
    private int _storms;
    private long _events;
    private long _compactions;

    /// <summary>MODIFIED events the storm loop has made (all storms).</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Compactions the storm loop has done.</summary>
    public long Compactions => Interlocked.Read(ref _compactions);

    /// <summary>True while a storm runs.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
                return _cancel is not null;
        }
    }

    /// <summary>Starts a storm, replacing the one running (which is cancelled, not awaited).</summary>
    public void Start(double rate, TimeSpan? compactEvery)
    {
        if (double.IsNaN(rate) || rate < 0)
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "events per second must be 0 or more");
        if (compactEvery is { } c && c <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(compactEvery), c, "compaction interval must be positive");
        lock (_lock)
        {
            _cancel?.Cancel();
            _cancel?.Dispose();
            var cancel = new CancellationTokenSource();
            _cancel = cancel;
            int storm = ++_storms;
            var previous = _running;
            // The clock starts now, not when the loop gets a thread: fake-time steps taken right after Start count.
            var timer = new PeriodicTimer(Tick, time);
            long started = time.GetTimestamp();
            _running = Task.Run(async () =>
            {
                using (timer)
                {
                    await Quietly(previous).ConfigureAwait(false); // never two loops at once
                    await RunAsync(timer, started, rate, compactEvery, storm, cancel.Token).ConfigureAwait(false);
                }
            });
        }
    }

    /// <summary>Stops the storm and waits until its loop has ended.</summary>
    public async Task StopAsync()
    {
        Task running;
        lock (_lock)
        {
            _cancel?.Cancel();
            _cancel?.Dispose();
            _cancel = null;
            running = _running;
        }
        await Quietly(running).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task RunAsync(PeriodicTimer timer, long started, double rate, TimeSpan? compactEvery, int storm, CancellationToken cancellationToken)
    {
        var rng = new FixtureRandom(population.Seed, storm, 0x5709_4D);
        long lastCompaction = started;
        long made = 0;
        long maxBehind = (long)Math.Ceiling(rate * s_maxBehind.TotalSeconds);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            long due = (long)(rate * time.GetElapsedTime(started).TotalSeconds);
            if (due - made > maxBehind)
                made = due - maxBehind;
            while (made < due && !cancellationToken.IsCancellationRequested)
            {
                if (ModifyRandomPod(ref rng))
                    Interlocked.Increment(ref _events);
                made++;
            }
            if (compactEvery is { } every && time.GetElapsedTime(lastCompaction) >= every)
            {
                compact();
                Interlocked.Increment(ref _compactions);
                lastCompaction = time.GetTimestamp();
            }
        }
    }

    /// <summary>Modifies one live pod; false when there is none (or it was deleted under us).</summary>
    private bool ModifyRandomPod(ref FixtureRandom rng)
    {
        var snapshot = population.Current;
        if (snapshot.Count == 0)
            return false;
        for (int attempt = 0; attempt < 64; attempt++)
        {
            int index = rng.Next(snapshot.SlotCount);
            if (!snapshot.Contains(index))
                continue;
            try
            {
                population.Modify(index);
                return true;
            }
            catch (KeyNotFoundException)
            {
                return false; // deleted by another writer since the snapshot
            }
        }
        return false;
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
