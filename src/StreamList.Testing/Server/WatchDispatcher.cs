namespace StreamList.Testing.Server;

/// <summary>
/// Fans population changes out to open watches, as the apiserver's watch cache does: hooked to
/// <see cref="PodPopulation.Changed"/>, it runs on the population's change thread, in
/// resourceVersion order, under the population's writer lock.
/// </summary>
/// <remarks>
/// Contract (the slow-watcher rule, docs/wire.md): each change is appended to the
/// <see cref="WatchHistory"/> and offered to every registered <see cref="Watcher"/> without
/// waiting. Watchers whose buffer is full share one allowance from the
/// <see cref="SlowWatcherBudget"/>: the dispatcher waits on them in turn until the allowance is
/// spent, and closes (and unregisters) every one that still has no room; unspent time goes back.
/// So a writer to the population is never held up longer than the budget, however slow a client
/// is; and the dispatcher never touches the network or encodes anything.
/// </remarks>
internal sealed class WatchDispatcher : IDisposable
{
    private readonly PodPopulation _population;
    private readonly SlowWatcherBudget _budget = new();
    private long _slowClosed;
    private int _disposed;

    public WatchDispatcher(PodPopulation population, int historySize)
    {
        _population = population;
        History = new WatchHistory(historySize, population.ResourceVersion);
        population.Changed += OnChanged;
        population.Restored += OnRestored;
    }

    public WatchHistory History { get; }

    /// <summary>Watches closed because their buffer stayed full past the budget.</summary>
    public long SlowWatchersClosed => Interlocked.Read(ref _slowClosed);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _population.Changed -= OnChanged;
        _population.Restored -= OnRestored;
        foreach (var watcher in History.Watchers)
        {
            watcher.Close(slow: false);
            History.Unsubscribe(watcher);
        }
    }

    /// <summary>An etcd restore: the apiserver's watch cache starts again at the restored revision and every open watch ends.</summary>
    private void OnRestored(PodPopulationSnapshot restored)
    {
        foreach (var watcher in History.Reset(restored.ResourceVersion))
            watcher.Close(slow: false);
    }

    private void OnChanged(PodChange change)
    {
        var record = new WatchRecord(change);
        var watchers = History.Append(record);
        List<Watcher>? blocked = null;
        foreach (var watcher in watchers)
        {
            if (watcher.Offer(record) == Watcher.OfferResult.Full)
                (blocked ??= []).Add(watcher);
        }
        if (blocked is null)
            return;

        var allowance = _budget.TakeAvailable();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var watcher in blocked)
        {
            var left = allowance - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (watcher.OfferWithin(record, left > TimeSpan.Zero ? left : TimeSpan.Zero))
                continue;
            watcher.Close(slow: true);
            History.Unsubscribe(watcher);
            Interlocked.Increment(ref _slowClosed);
        }
        _budget.ReturnUnused(allowance - System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }
}
