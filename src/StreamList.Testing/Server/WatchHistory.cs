namespace StreamList.Testing.Server;

/// <summary>
/// The watch cache's event window: a ring of the last N changes (in resourceVersion order) and
/// the set of open watchers, under one lock so that a new watch gets every change exactly once.
/// </summary>
/// <remarks>
/// Contract: <see cref="Append"/> (called by the dispatcher, in resourceVersion order) adds a
/// change and returns the watchers registered at that moment, who get it live;
/// <see cref="Subscribe"/> registers a watcher and returns the retained changes after its start
/// version, which it gets as replay. Both take the same lock, so a change is either in a
/// subscriber's replay or in its live stream, never both and never neither. A watch from version
/// r is servable while r ≥ <see cref="Floor"/> (the oldest retained change's version − 1): every
/// change after the floor is retained. The floor moves up when a change is evicted, on
/// <see cref="Compact"/> (to the newest change) and when the appended versions have a gap
/// (changes made before the history was hooked up).
/// </remarks>
internal sealed class WatchHistory
{
    private readonly Lock _lock = new();
    private readonly WatchRecord[] _ring;
    private int _start;
    private int _count;
    private long _floor;
    private long _newest;
    private Watcher[] _watchers = [];

    /// <summary>An empty history of at most <paramref name="capacity"/> changes, servable from <paramref name="resourceVersion"/> on.</summary>
    public WatchHistory(int capacity, long resourceVersion)
    {
        _ring = new WatchRecord[Math.Max(0, capacity)];
        _floor = resourceVersion;
        _newest = resourceVersion;
    }

    /// <summary>The oldest resourceVersion a watch can resume from.</summary>
    public long Floor
    {
        get
        {
            lock (_lock)
                return _floor;
        }
    }

    /// <summary>Changes retained.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _count;
        }
    }

    /// <summary>Open watchers.</summary>
    public IReadOnlyList<Watcher> Watchers => Volatile.Read(ref _watchers);

    /// <summary>Retains <paramref name="record"/> (evicting the oldest when full) and returns the watchers that get it live.</summary>
    public Watcher[] Append(WatchRecord record)
    {
        lock (_lock)
        {
            if (record.ResourceVersion <= _newest)
                return []; // raised before the history started (hooked up mid-batch): no watcher starts that early
            if (record.ResourceVersion != _newest + 1)
            {
                // A gap (or a population shared with changes we never saw): nothing before it can be replayed.
                Clear();
                _floor = Math.Max(_floor, record.ResourceVersion - 1);
            }
            _newest = record.ResourceVersion;
            if (_ring.Length == 0)
            {
                _floor = record.ResourceVersion;
                return _watchers;
            }
            if (_count == _ring.Length)
            {
                _floor = _ring[_start].ResourceVersion;
                _ring[_start] = null!;
                _start = (_start + 1) % _ring.Length;
                _count--;
            }
            _ring[(_start + _count) % _ring.Length] = record;
            _count++;
            return _watchers;
        }
    }

    /// <summary>
    /// Registers <paramref name="watcher"/>. With <paramref name="from"/> null it starts at the state
    /// <paramref name="current"/> returns (read under the lock), else after <paramref name="from"/>,
    /// which must not be older than <see cref="Floor"/>.
    /// </summary>
    public Subscription Subscribe(Watcher watcher, long? from, Func<PodPopulationSnapshot> current)
    {
        lock (_lock)
        {
            PodPopulationSnapshot? snapshot = null;
            long after;
            if (from is { } r)
            {
                if (r < _floor)
                    return new Subscription(false, _floor, null, []);
                after = r;
            }
            else
            {
                // Never older than the floor: the floor only reaches versions the population had published.
                snapshot = current();
                after = snapshot.ResourceVersion;
            }
            var replay = After(after);
            watcher.Start(after, _newest);
            _watchers = [.. _watchers, watcher];
            return new Subscription(true, _floor, snapshot, replay);
        }
    }

    /// <summary>Removes a watcher (no-op when it is not registered).</summary>
    public void Unsubscribe(Watcher watcher)
    {
        lock (_lock)
        {
            int i = Array.IndexOf(_watchers, watcher);
            if (i < 0)
                return;
            var rest = new Watcher[_watchers.Length - 1];
            Array.Copy(_watchers, 0, rest, 0, i);
            Array.Copy(_watchers, i + 1, rest, i, rest.Length - i);
            _watchers = rest;
        }
    }

    /// <summary>Forgets every retained change: watches from before the newest change now get 410.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            Clear();
            _floor = _newest;
        }
    }

    /// <summary>
    /// The revision went back to <paramref name="resourceVersion"/> (an etcd restore): forgets every
    /// change and every watcher, which the caller closes; returns them.
    /// </summary>
    public Watcher[] Reset(long resourceVersion)
    {
        lock (_lock)
        {
            Clear();
            _floor = resourceVersion;
            _newest = resourceVersion;
            var watchers = _watchers;
            _watchers = [];
            return watchers;
        }
    }

    private List<WatchRecord> After(long resourceVersion)
    {
        // Versions in the ring are consecutive: the first one after r is at a computable offset.
        var replay = new List<WatchRecord>();
        if (_count == 0)
            return replay;
        long first = _ring[_start].ResourceVersion;
        long skip = Math.Max(0, resourceVersion - first + 1);
        for (long k = skip; k < _count; k++)
            replay.Add(_ring[(_start + (int)k) % _ring.Length]);
        return replay;
    }

    private void Clear()
    {
        Array.Clear(_ring);
        _start = 0;
        _count = 0;
    }

    /// <summary>The outcome of <see cref="Subscribe"/>.</summary>
    /// <param name="Accepted">False when the start version is older than the floor: the watch gets 410.</param>
    /// <param name="Floor">The floor at that moment (the "(oldest)" of the 410 message).</param>
    /// <param name="Snapshot">The state the watch starts at, when it asked for the current one.</param>
    /// <param name="Replay">Retained changes after the start version, oldest first (not yet filtered by selectors).</param>
    public readonly record struct Subscription(bool Accepted, long Floor, PodPopulationSnapshot? Snapshot, List<WatchRecord> Replay);
}
