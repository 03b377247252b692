using System.Diagnostics;
using k8s.Models;

namespace StreamList.Testing.Server;

/// <summary>
/// One open watch as the dispatcher sees it: a bounded queue of events between the dispatcher
/// (the population's change thread) and the response writer (an async loop per request), plus the
/// flags the writer wakes up for (bookmark due, server timeout, closed).
/// </summary>
/// <remarks>
/// Contract: the dispatcher never blocks in <see cref="Offer"/>; only <see cref="OfferWithin"/>
/// waits, for at most the time it is given. The writer never holds this watcher's lock while it
/// writes to the network: it <see cref="Drain"/>s a batch under the lock and writes it after.
/// <see cref="Drain"/> returns with the batch the watcher's progress: the resourceVersion up to
/// which every change was either in this or an earlier batch, or filtered out, so a bookmark at
/// that version never runs ahead of the events sent. Events at or below the start version (the
/// initial state or replay already covers them) are dropped.
/// </remarks>
internal sealed class Watcher(long id, PodFilter filter, int capacity, string protocol, string connectionId)
{
    private readonly object _gate = new();
    private readonly Queue<WatchRecord> _queue = new(Math.Min(Math.Max(capacity, 1), 1024));
    private readonly int _capacity = Math.Max(capacity, 1);
    private TaskCompletionSource? _reader;
    private long _after = long.MaxValue; // nothing is accepted before Start
    private long _progress;
    private int _spaceWaiters;
    private bool _bookmarkDue;
    private volatile bool _closed;
    private volatile bool _closedSlow;
    private volatile bool _expired;
    private volatile bool _timedOut;

    public enum OfferResult
    {
        Added,
        Skipped,
        Full,
        Closed,
    }

    public long Id { get; } = id;

    /// <summary>HTTP/1.1 or HTTP/2.</summary>
    public string Protocol { get; } = protocol;

    /// <summary>Kestrel's id of the connection the watch runs on.</summary>
    public string ConnectionId { get; } = connectionId;

    public bool IsClosed => _closed;

    /// <summary>True when the dispatcher closed the watch because its buffer stayed full.</summary>
    public bool ClosedSlow => _closedSlow;

    public bool TimedOut => _timedOut;

    /// <summary>The version the watch started after: it gets changes, and bookmarks, only above it.</summary>
    public long StartedAfter
    {
        get
        {
            lock (_gate)
                return _after;
        }
    }

    /// <summary>True when the watch's selectors select <paramref name="pod"/>.</summary>
    public bool Selects(V1Pod pod) => filter.MatchesNamespace(pod.Metadata?.NamespaceProperty) && filter.MatchesObject(pod.Metadata);

    /// <summary>Arms the watcher: changes after <paramref name="after"/> are delivered; <paramref name="progress"/> is the version already covered.</summary>
    public void Start(long after, long progress)
    {
        lock (_gate)
        {
            _after = after;
            _progress = Math.Max(after, progress);
        }
    }

    /// <summary>Queues <paramref name="record"/> if there is room; never waits.</summary>
    public OfferResult Offer(WatchRecord record)
    {
        lock (_gate)
        {
            if (_closed)
                return OfferResult.Closed;
            if (record.ResourceVersion <= _after)
                return OfferResult.Skipped;
            if (!Selects(record.Change.Pod))
            {
                _progress = Math.Max(_progress, record.ResourceVersion);
                return OfferResult.Skipped;
            }
            if (_queue.Count >= _capacity)
                return OfferResult.Full;
            Enqueue(record);
            return OfferResult.Added;
        }
    }

    /// <summary>Waits at most <paramref name="timeout"/> (real time) for room, then queues; false when there was none.</summary>
    public bool OfferWithin(WatchRecord record, TimeSpan timeout)
    {
        long started = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            while (!_closed && _queue.Count >= _capacity)
            {
                var left = timeout - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                    return false;
                _spaceWaiters++;
                try
                {
                    Monitor.Wait(_gate, left);
                }
                finally
                {
                    _spaceWaiters--;
                }
            }
            if (!_closed)
                Enqueue(record);
            return true;
        }
    }

    /// <summary>True when the watch was ended by <see cref="Expire"/>: its writer sends a 410 ERROR event before closing.</summary>
    public bool Expired => _expired;

    /// <summary>Ends the watch with "too old resource version" (as when the watch cache's window moves past a lagging watcher); false when it had already ended.</summary>
    public bool Expire() => Close(slow: false, expired: true);

    /// <summary>Ends the watch; <paramref name="slow"/> marks it cut off by the dispatcher. The writer stops at its next wake-up.</summary>
    public void Close(bool slow) => Close(slow, expired: false);

    private bool Close(bool slow, bool expired)
    {
        lock (_gate)
        {
            if (_closed)
                return false;
            _closed = true;
            _closedSlow = slow;
            _expired = expired;
            _queue.Clear();
            Wake();
            return true;
        }
    }

    /// <summary>The bookmark timer fired.</summary>
    public void BookmarkDue()
    {
        lock (_gate)
        {
            _bookmarkDue = true;
            Wake();
        }
    }

    /// <summary>The server-side timeout (timeoutSeconds) passed.</summary>
    public void TimeOut()
    {
        lock (_gate)
        {
            _timedOut = true;
            Wake();
        }
    }

    /// <summary>Completes when there is something to drain (events, a due bookmark, a timeout or the close).</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_queue.Count > 0 || _closed || _bookmarkDue || _timedOut)
                return Task.CompletedTask;
            _reader ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _reader.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Moves every queued event into <paramref name="batch"/>; returns the progress and flags as of that moment (the bookmark flag is consumed).</summary>
    public DrainResult Drain(List<WatchRecord> batch)
    {
        lock (_gate)
        {
            while (_queue.TryDequeue(out var record))
                batch.Add(record);
            bool bookmark = _bookmarkDue;
            _bookmarkDue = false;
            if (_spaceWaiters > 0)
                Monitor.PulseAll(_gate);
            return new DrainResult(_progress, _closed, bookmark, _timedOut);
        }
    }

    private void Enqueue(WatchRecord record)
    {
        _queue.Enqueue(record);
        _progress = Math.Max(_progress, record.ResourceVersion);
        Wake();
    }

    private void Wake()
    {
        var reader = _reader;
        _reader = null;
        reader?.TrySetResult(); // continuations run asynchronously: never on this thread, under this lock
        Monitor.PulseAll(_gate);
    }

    /// <summary>What a <see cref="Drain"/> saw.</summary>
    /// <param name="Progress">Every change up to this resourceVersion was drained now or before, or is not selected.</param>
    /// <param name="Closed">The watch was closed (by the dispatcher or the server).</param>
    /// <param name="BookmarkDue">A bookmark is due.</param>
    /// <param name="TimedOut">The server-side timeout passed.</param>
    public readonly record struct DrainResult(long Progress, bool Closed, bool BookmarkDue, bool TimedOut);
}
