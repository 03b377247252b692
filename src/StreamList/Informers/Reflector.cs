using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Watching;


namespace StreamList.Informers;

/// <summary>
/// Keeps an <see cref="InformerStore{T}"/> equal to the server's collection: the single writer of
/// the store. An explicit state machine, as kube-rs' watcher: <c>List → Watch → Watch …</c>, back
/// to <c>List</c> on 410, with <c>WatchList</c> as an optional first step.
///
/// Contract: a list streams into the store as a diff (adds and updates applied as items arrive;
/// items whose uid and resourceVersion the store already holds are not even decoded; objects the
/// list did not contain are deleted as tombstones only once the list completed). One relist at a
/// time per <see cref="RelistGate"/>. A normal watch close re-watches from the last seen RV; a 410
/// relists; any failure waits on <see cref="Backoff"/>. All time through <see cref="TimeProvider"/>.
/// Every store change is applied and distributed to handlers under <c>syncRoot</c>.
/// </summary>
internal sealed class Reflector<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    internal enum State { List, Watch, WatchList }

    private readonly ListWatch<T> _listWatch;
    private readonly InformerStore<T> _store;
    private readonly HandlerProcessor<T> _processor;
    private readonly object _syncRoot;
    private readonly InformerOptions<T> _options;
    private readonly string _resource;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;
    private readonly Random _random;
    private readonly RelistGate _gate;
    private readonly TagList _tags;

    private string? _lastSeen;
    private bool _lastSeenUnavailable;
    private bool _watchListDisabled;
    private int _watchListFailures;
    private volatile bool _synced;
    private readonly TaskCompletionSource _syncedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Reflector(ListWatch<T> listWatch, InformerStore<T> store, HandlerProcessor<T> processor, object syncRoot,
        InformerOptions<T> options, string resource, ILogger logger)
    {
        _listWatch = listWatch;
        _store = store;
        _processor = processor;
        _syncRoot = syncRoot;
        _options = options;
        _resource = resource;
        _logger = logger;
        _random = options.Random ?? Random.Shared;
        _backoff = options.Backoff ?? new Backoff(options.Time, _random);
        _gate = options.RelistGate ?? RelistGate.Shared;
        _tags = StreamListMetrics.Tags(resource);
        _watchListDisabled = !options.UseWatchList;
    }

    public bool HasSynced => _synced;

    /// <summary>Completes when the store first synced.</summary>
    public Task Synced => _syncedTask.Task;

    /// <summary>The resourceVersion of the last list, watch event or bookmark applied.</summary>
    public string? LastSeenResourceVersion => Volatile.Read(ref _lastSeen);

    public InformerStatistics Statistics { get; } = new();

    /// <summary>The state the reflector is in (for tests and diagnostics).</summary>
    public State Current { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Current = _watchListDisabled ? State.List : State.WatchList;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                Current = Current switch
                {
                    State.List => await ListAsync(cancellationToken).ConfigureAwait(false),
                    State.WatchList => await WatchListAsync(cancellationToken).ConfigureAwait(false),
                    _ => await WatchAsync(cancellationToken).ConfigureAwait(false),
                };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Current = AfterFailure(Current, e);
                Statistics.Failed(e);
                var wait = _backoff.Next();
                StreamListMetrics.Backoffs.Add(1, _tags);
                ReflectorLog.BackingOff(_logger, _resource, wait.TotalSeconds, Current.ToString());
                try
                {
                    await Task.Delay(wait, _options.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Where to go after a failure in <paramref name="state"/> (the backoff comes first).</summary>
    private State AfterFailure(State state, Exception e)
    {
        switch (state)
        {
            case State.List:
                ReflectorLog.ListFailed(_logger, _resource, e.Message, e);
                return State.List;
            case State.WatchList:
                if (ShouldFallBackFromWatchList(e))
                    return State.List;
                return State.WatchList;
            default:
                if (e is ResourceExpiredException)
                {
                    StreamListMetrics.WatchExpired.Add(1, _tags);
                    Statistics.WatchExpiredOnce();
                    ReflectorLog.WatchExpired(_logger, _resource, _lastSeen ?? "");
                    return _watchListDisabled ? State.List : State.WatchList;
                }
                ReflectorLog.WatchFailed(_logger, _resource, e.Message, e);
                return State.Watch;
        }
    }

    private bool ShouldFallBackFromWatchList(Exception e)
    {
        if (ResourceVersionRules.MeansWatchListUnsupported(e))
        {
            _watchListDisabled = true;
            ReflectorLog.WatchListFallback(_logger, _resource, e.Message);
            return true;
        }
        if (++_watchListFailures >= _options.WatchListMaxFailures)
        {
            _watchListDisabled = true;
            ReflectorLog.WatchListFallback(_logger, _resource, $"cut off {_watchListFailures} times before its initial events ended: {e.Message}");
            return true;
        }
        ReflectorLog.WatchFailed(_logger, _resource, e.Message, e);
        return false;
    }

    // ---- List ---------------------------------------------------------------------------

    private async Task<State> ListAsync(CancellationToken cancellationToken)
    {
        string rv = ResourceVersionRules.ForList(_lastSeen, _lastSeenUnavailable, _options.InitialResourceVersion);
        ReflectorLog.WaitingForGate(_logger, _resource, _gate.InFlight);
        using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await ListOnceAsync(rv, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (rv.Length > 0 && ResourceVersionRules.MakesLastSeenUnavailable(e))
            {
                // As client-go: the RV is gone (or too new); retry at once with a consistent read.
                _lastSeenUnavailable = true;
                ReflectorLog.ListFailed(_logger, _resource, e.Message, e);
                await ListOnceAsync("", cancellationToken).ConfigureAwait(false);
            }
        }
        _lastSeenUnavailable = false;
        return State.Watch;
    }

    private async Task ListOnceAsync(string rv, CancellationToken cancellationToken)
    {
        ReflectorLog.Listing(_logger, _resource, rv);
        StreamListMetrics.Relists.Add(1, _tags);
        Statistics.ListStarted();
        long started = _options.Time.GetTimestamp();
        long unchanged = 0;
        var progress = new ListProgress();
        var request = new ListRequest
        {
            ResourceVersion = rv,
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            SkipUnchanged = !_options.SkipUnchangedOnRelist ? null : id =>
            {
                if (!_store.TryMarkUnchanged(id.Key, id.Uid, id.ResourceVersion))
                    return false;
                unchanged++;
                return true;
            },
        };
        _store.BeginRelist();
        try
        {
            await foreach (var obj in Pager.ListAllAsync(_listWatch.List, request, _options.PageSize, progress, cancellationToken).ConfigureAwait(false))
            {
                var meta = obj.Metadata;
                if (meta is not null && _options.SkipUnchangedOnRelist && _store.TryMarkUnchanged(ObjectKey.For(meta), meta.Uid ?? "", meta.ResourceVersion ?? ""))
                {
                    unchanged++;
                    continue;
                }
                Apply(Transform(obj));
            }
        }
        catch
        {
            _store.AbortRelist();
            StreamListMetrics.RelistFailures.Add(1, _tags);
            throw;
        }
        int deleted;
        lock (_syncRoot)
        {
            var deletes = _store.EndRelist();
            deleted = deletes.Count;
            foreach (var d in deletes)
                _processor.Distribute(d);
        }
        StreamListMetrics.ListItems.Add(progress.Items, _tags);
        StreamListMetrics.ListItemsSkipped.Add(unchanged, _tags);
        SetLastSeen(progress.Metadata?.ResourceVersion);
        var elapsed = _options.Time.GetElapsedTime(started);
        StreamListMetrics.RelistDuration.Record(elapsed.TotalSeconds, _tags);
        Statistics.ListCompleted(progress.Items, unchanged);
        ReflectorLog.Listed(_logger, _resource, progress.Items, unchanged, deleted, _lastSeen, elapsed.TotalSeconds);
        MarkSynced();
    }

    // ---- Watch --------------------------------------------------------------------------

    private WatchRequest NewWatchRequest(string? rv) => new()
    {
        ResourceVersion = rv,
        LabelSelector = _options.LabelSelector,
        FieldSelector = _options.FieldSelector,
        AllowWatchBookmarks = true,
        TimeoutSeconds = ResourceVersionRules.WatchTimeoutSeconds(_options.MinWatchTimeout, _random),
    };

    private async Task<State> WatchAsync(CancellationToken cancellationToken)
    {
        var request = NewWatchRequest(_lastSeen);
        ReflectorLog.Watching(_logger, _resource, request.ResourceVersion ?? "", request.TimeoutSeconds ?? 0);
        StreamListMetrics.WatchStarts.Add(1, _tags);
        Statistics.WatchStarted();
        long started = _options.Time.GetTimestamp();
        long events = 0;
        await foreach (var e in _listWatch.Watch(request, cancellationToken).ConfigureAwait(false))
        {
            events++;
            ApplyEvent(e);
        }
        if (events == 0 && _options.Time.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
            throw new IOException("watch closed within a second without any event"); // as client-go: avoid a hot loop
        ReflectorLog.WatchClosed(_logger, _resource, events, _lastSeen ?? "");
        return State.Watch;
    }

    private void ApplyEvent(WatchEvent<T> e)
    {
        StreamListMetrics.WatchEvents.Add(1, _tags);
        Statistics.Event();
        switch (e.Type)
        {
            case WatchEventKind.Added:
            case WatchEventKind.Modified:
                Apply(Transform(e.Object));
                break;
            case WatchEventKind.Deleted:
                lock (_syncRoot)
                {
                    if (_store.Delete(ObjectKey.For(e.Object.Metadata), e.Object) is { } d)
                        _processor.Distribute(d);
                }
                break;
        }
        SetLastSeen(e.Object.Metadata?.ResourceVersion);
    }

    // ---- WatchList ----------------------------------------------------------------------

    private async Task<State> WatchListAsync(CancellationToken cancellationToken)
    {
        var request = NewWatchRequest(_lastSeen ?? "") with { SendInitialEvents = true, ResourceVersionMatch = "NotOlderThan" };
        StreamListMetrics.Relists.Add(1, _tags);
        StreamListMetrics.WatchStarts.Add(1, _tags);
        Statistics.ListStarted();
        Statistics.WatchStarted();
        long started = _options.Time.GetTimestamp();
        long items = 0;
        bool initialDone = false;
        using var initialTimeout = new CancellationTokenSource(_options.WatchListTimeout, _options.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, initialTimeout.Token);
        using (var slot = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            _store.BeginRelist();
            try
            {
                await using var events = _listWatch.Watch(request, linked.Token).GetAsyncEnumerator(linked.Token);
                while (!initialDone && await events.MoveNextAsync().ConfigureAwait(false))
                {
                    var e = events.Current;
                    if (e.Type == WatchEventKind.Bookmark)
                    {
                        SetLastSeen(e.Object.Metadata?.ResourceVersion);
                        initialDone = e.Object.Metadata?.Annotations?.TryGetValue(ResourceVersionRules.InitialEventsEnd, out var v) == true && v == "true";
                        continue;
                    }
                    items++;
                    ApplyEvent(e);
                }
                if (!initialDone)
                    throw new IOException("WatchList ended before its initial-events-end bookmark");
                initialTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
                lock (_syncRoot)
                {
                    foreach (var d in _store.EndRelist())
                        _processor.Distribute(d);
                }
                slot.Dispose();
                _watchListFailures = 0;
                Current = State.Watch; // from here on, a failure is a watch failure (a 410 relists)
                Statistics.ListCompleted(items, 0);
                ReflectorLog.Listed(_logger, _resource, items, 0, 0, _lastSeen, _options.Time.GetElapsedTime(started).TotalSeconds);
                MarkSynced();

                // The same stream now carries ordinary watch events.
                while (await events.MoveNextAsync().ConfigureAwait(false))
                    ApplyEvent(events.Current);
            }
            catch (OperationCanceledException) when (!initialDone && initialTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                _store.AbortRelist();
                throw new TimeoutException($"no initial-events-end bookmark within {_options.WatchListTimeout.TotalSeconds:0} s (the server may ignore sendInitialEvents)");
            }
            catch when (!initialDone)
            {
                _store.AbortRelist();
                throw;
            }
        }
        return State.Watch;
    }

    // ---- Store changes ------------------------------------------------------------------

    private T Transform(T obj) => _options.Transform is { } t ? t(obj) : obj;

    private void Apply(T obj)
    {
        lock (_syncRoot)
        {
            if (_store.Upsert(obj) is { } d)
                _processor.Distribute(d);
        }
    }

    private void SetLastSeen(string? rv)
    {
        if (!string.IsNullOrEmpty(rv))
            Volatile.Write(ref _lastSeen, rv);
    }

    private void MarkSynced()
    {
        if (_synced)
            return;
        lock (_syncRoot)
        {
            _synced = true;
            _processor.MarkSynced();
        }
        _syncedTask.TrySetResult();
    }
}
