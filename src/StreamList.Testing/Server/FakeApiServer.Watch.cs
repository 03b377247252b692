using System.Globalization;
using StreamList.Testing;
using StreamList.Diagnostics;

namespace StreamList.Testing.Server;

/// <summary>
/// The fake server's watch side: state for tests and admin clients, compaction, churn and the
/// storm loop. Watches themselves are served by <see cref="WatchEndpoint"/> from the changes
/// <see cref="WatchDispatcher"/> fans out.
/// </summary>
public sealed partial class FakeApiServer
{
    private long _expiredByCompaction;

    /// <summary>Watches open now.</summary>
    public int WatcherCount => _dispatcher.History.Watchers.Count;

    /// <summary>Watches closed so far because their buffer stayed full past the shared time budget (the slow-watcher rule).</summary>
    public long SlowWatchersClosed => _dispatcher.SlowWatchersClosed;

    /// <summary>The oldest resourceVersion a watch can resume from; older ones get 410 Expired.</summary>
    public long WatchHistoryFloor => _dispatcher.History.Floor;

    /// <summary>Watches that <see cref="Compact"/> ended with 410 (with <see cref="FakeApiServerOptions.CompactionExpiresWatches"/>).</summary>
    public long WatchesExpiredByCompaction => Interlocked.Read(ref _expiredByCompaction);

    /// <summary>MODIFIED events the storm loop has made so far.</summary>
    public long StormEvents => _storm.Events;

    /// <summary>True while a storm runs.</summary>
    public bool StormRunning => _storm.IsRunning;

    /// <summary>The open watches (for tests: protocol and connection of each).</summary>
    internal IReadOnlyList<Watcher> ActiveWatchers => _dispatcher.History.Watchers;

    /// <summary>
    /// Starts a storm on a background loop driven by <see cref="FakeApiServerOptions.TimeProvider"/>:
    /// <paramref name="rate"/> MODIFIED events per second on random live pods (deterministic per
    /// seed and storm), and a <see cref="Compact"/> every <paramref name="compactEvery"/> when set.
    /// Replaces a storm already running; stopped by <see cref="StopStorm"/> or disposal.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or the interval not positive.</exception>
    public void StartStorm(double rate, TimeSpan? compactEvery = null) => _storm.Start(rate, compactEvery);

    /// <summary>Stops the storm; the task completes once its loop has ended (no more events from it).</summary>
    public Task StopStorm() => _storm.StopAsync();

    /// <summary>One round of churn on the population (<see cref="PodPopulation.ApplyChurn"/>); watches see every change.</summary>
    public ChurnResult ApplyChurn(double percent, int round) => Population.ApplyChurn(percent, round);

    /// <summary>
    /// Compacts: the watch history forgets every change (watches from before the newest change get
    /// 410) and the population forgets past snapshots (older continue tokens and exact lists get 410).
    /// </summary>
    public void Compact()
    {
        _dispatcher.History.Compact();
        Population.Compact();
        if (Options.CompactionExpiresWatches)
        {
            foreach (var watcher in _dispatcher.History.Watchers)
            {
                if (watcher.Expire())
                    Interlocked.Increment(ref _expiredByCompaction);
            }
        }
    }

    /// <summary>
    /// An etcd restored from a backup taken at <paramref name="resourceVersion"/> (a retained snapshot;
    /// see <see cref="FakeApiServerOptions.RetainedSnapshots"/>): the population goes back to it, the
    /// watch history starts again there, and every open watch ends (as when the apiservers restart).
    /// Reads at a newer resourceVersion then get 504 ResourceVersionTooLarge (lists, WatchLists) or
    /// wait silently for it (plain watches), as a real apiserver's do, until the client reads at "".
    /// </summary>
    /// <exception cref="ArgumentException">No retained snapshot has that resourceVersion.</exception>
    public void RestoreEtcd(long resourceVersion) => Population.Restore(resourceVersion);

    /// <summary>The state <c>GET /streamlist/state</c> reports; computing the fingerprint reads every pod of the current snapshot.</summary>
    public FakeApiServerState GetState()
    {
        var snapshot = Population.Current;
        var keys = ParallelEnumerable.Range(0, snapshot.SlotCount)
            .Select(snapshot.Get)
            .Where(static p => p is not null)
            .Select(static p => ((string?)p!.Metadata?.NamespaceProperty, p.Metadata?.Name ?? "", (string?)p.Metadata?.ResourceVersion))
            .ToList();
        return new FakeApiServerState(snapshot.ResourceVersion.ToString(CultureInfo.InvariantCulture), snapshot.Count,
            KeysSha256.Compute(keys), WatcherCount, SlowWatchersClosed,
            new RequestCounts(CountRequests(RequestKind.CacheList), CountRequests(RequestKind.ConsistentList), CountRequests(RequestKind.ExactList),
                CountRequests(RequestKind.ContinueList), CountRequests(RequestKind.Watch), CountRequests(RequestKind.WatchList)),
            WatchesExpiredByCompaction);
    }
}
