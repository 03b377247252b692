using System.Buffers;
using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using StreamList.Codec;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Sharding;
using StreamList.Watching;


namespace StreamList.Informers;

/// <summary>
/// Keeps an <see cref="InformerStore{T}"/> equal to the server's collection: the single writer of
/// the store. An explicit state machine, as kube-rs' watcher: <c>Relist → Watch → Watch …</c>, back
/// to <c>Relist</c> on 410 or "too large resource version", where Relist is a list, or a WatchList
/// when enabled (falling back to a list for that pass only). docs/reflector-and-client-go.md gives
/// each rule with the client-go line it follows and every deliberate difference.
///
/// Contract: a list streams into the store as a diff (adds and updates applied as items arrive;
/// items whose uid and resourceVersion the store already holds are not even decoded; objects the
/// list did not contain are deleted as tombstones only once the list completed). One relist at a
/// time per <see cref="RelistGate"/>; nothing that can time out or fail starts before the gate is
/// entered. The last seen resourceVersion moves only on list metadata, bookmarks and real watch
/// events, never on the synthetic adds of a WatchList or a watch from ""/"0". A normal watch
/// close re-watches from the last seen RV; any failure waits on <see cref="Backoff"/>. One object
/// that cannot be stored (no name, a throwing transform or index) is logged, counted and skipped.
/// All time through <see cref="TimeProvider"/>. Every store change is applied and distributed to
/// handlers under <c>syncRoot</c>.
///
/// With <c>Transforms.DropManagedFields</c> every list and watch request asks the reader to skip
/// managedFields while decoding (<see cref="ListRequest.SkipManagedFields"/>); the transform still
/// runs on what arrives. Without a transform of the user's own (which may change the object it is
/// given) every request also asks the reader to share repeated parts between objects
/// (<see cref="ListRequest.ShareParts"/>): the cache never changes its objects; with one, every
/// request asks for none, whatever the client's decode options say.
///
/// Compact store: objects are stored from their wire bytes (<see cref="ItemTaker"/>): each protobuf
/// list item and ADDED/MODIFIED event object is copied into an array the store owns (trimmed on the
/// wire form by a built-in transform) and never decoded on the way in; handlers decode it lazily,
/// once per change. JSON bodies, and any transform of the user's own, go through objects instead.
///
/// Sharding: with a <see cref="ShardSelector"/> every list and watch carries it; whatever the server
/// sends outside it (a server without KEP-5866 ignores the selector) is filtered here, counted, and
/// logged once, so the cache is the same either way. <see cref="SwitchShard"/> drops what left the
/// shard at once; <see cref="RestartPass"/> then ends the pass: a relist follows when the shard grew
/// (it brings what entered), else a watch from the last seen resourceVersion with the new selector.
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
    private readonly MessageTrim? _wireTrim; // how items are stored from their bytes; null: as objects
    private readonly bool _skipManagedFields; // the transform drops them: lists and watches need not build them
    private readonly bool _shareParts; // no transform of the user's own: decoded objects go only to the cache and handlers, so they may share parts

    private readonly object _passLock = new();
    private CancellationTokenSource? _pass;
    private bool _restartRequested;
    private bool _restartRelists;
    private volatile ShardSelector? _shard;
    private bool _loggedShardFallback;

    private string? _lastSeen;
    private bool _lastSeenUnavailable;
    private bool _paginatedResult;
    private volatile bool _synced;
    private readonly TaskCompletionSource<bool> _syncedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
        _gate = options.RelistGate ?? new RelistGate();
        _tags = StreamListMetrics.Tags(resource);
        _shard = options.ShardSelector;
        var trim = Transforms.OnWire(options.Transform);
        _wireTrim = store.Mode != StoreMode.Objects ? trim : null;
        _skipManagedFields = trim == MessageTrim.DropManagedFields;
        _shareParts = trim is not null;
    }

    /// <summary>The shard selector in force (null: the whole collection).</summary>
    public ShardSelector? Shard => _shard;

    public bool HasSynced => _synced;

    /// <summary>Completes with true when the store first synced, or with false when the reflector stopped before.</summary>
    public Task<bool> Synced => _syncedTask.Task;

    /// <summary>The reflector will not run (again): completes <see cref="Synced"/> with false if it has not synced.</summary>
    public void Stopped() => _syncedTask.TrySetResult(false);

    /// <summary>The resourceVersion of the last list, watch event or bookmark applied.</summary>
    public string? LastSeenResourceVersion => Volatile.Read(ref _lastSeen);

    public InformerStatistics Statistics { get; } = new();

    /// <summary>The state the reflector is in (for tests and diagnostics).</summary>
    public State Current { get; private set; }

    /// <summary>Where a relist starts: a WatchList when enabled, else a list.</summary>
    private State Relist => _options.UseWatchList ? State.WatchList : State.List;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Current = Relist;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var pass = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                lock (_passLock)
                {
                    if (_restartRequested)
                    {
                        if (_restartRelists || !_synced)
                            Current = Relist;
                        _restartRequested = _restartRelists = false;
                    }
                    _pass = pass;
                }
                try
                {
                    Current = Current switch
                    {
                        State.List => await ListAsync(pass.Token).ConfigureAwait(false),
                        State.WatchList => await WatchListAsync(pass.Token).ConfigureAwait(false),
                        _ => await WatchAsync(pass.Token).ConfigureAwait(false),
                    };
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (OperationCanceledException) when (pass.IsCancellationRequested)
                {
                    // RestartPass ended this pass: the next one relists or watches with the new selector.
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
        finally
        {
            lock (_passLock)
                _pass = null;
            Stopped(); // whoever waits for sync learns it did not happen
        }
    }

    /// <summary>
    /// Makes <paramref name="selector"/> the shard in force. The caller holds <c>syncRoot</c>: objects
    /// outside the new shard are removed and their deletes distributed before it returns. Call
    /// <see cref="RestartPass"/> after releasing the lock so that lists and watches carry the new selector.
    /// </summary>
    public void SwitchShard(ShardSelector? selector)
    {
        _shard = selector;
        if (selector is null)
            return;
        foreach (var d in _store.RemoveUnless((ns, uid) => selector.Matches(uid, ns)))
            _processor.Distribute(d);
    }

    /// <summary>
    /// Ends the current list or watch (not under a lock: cancellation runs callbacks); the next pass
    /// relists when <paramref name="relist"/> (or before the first sync), else watches from the last seen resourceVersion.
    /// </summary>
    public void RestartPass(bool relist)
    {
        lock (_passLock)
        {
            _restartRequested = true;
            _restartRelists |= relist;
            _pass?.Cancel();
        }
    }

    /// <summary>Where to go after a failure in <paramref name="state"/> (the backoff comes first).</summary>
    private State AfterFailure(State state, Exception e)
    {
        bool tooLarge = ResourceVersionRules.IsTooLargeResourceVersion(e);
        switch (state)
        {
            case State.List:
                ReflectorLog.ListFailed(_logger, _resource, e.Message, e);
                return State.List;
            case State.WatchList:
                if (e is ResourceExpiredException || tooLarge)
                {
                    // client-go isErrorRetriableWithSideEffectsFn: the RV is gone; stream a consistent snapshot.
                    _lastSeenUnavailable = true;
                    ReflectorLog.WatchFailed(_logger, _resource, e.Message, e);
                    return State.WatchList;
                }
                if (ResourceVersionRules.IsTooManyRequests(e))
                {
                    ReflectorLog.WatchFailed(_logger, _resource, e.Message, e);
                    return State.WatchList;
                }
                // Refused (4xx), cut off before its end bookmark, or timed out: this pass lists; the next tries WatchList again.
                ReflectorLog.WatchListFallback(_logger, _resource, e.Message);
                return State.List;
            default:
                if (e is ResourceExpiredException)
                {
                    StreamListMetrics.WatchExpired.Add(1, _tags);
                    Statistics.WatchExpiredOnce();
                    ReflectorLog.WatchExpired(_logger, _resource, _lastSeen ?? "");
                    return Relist;
                }
                if (tooLarge)
                {
                    // The server's revision is behind ours (an etcd restore): a consistent list brings us back.
                    _lastSeenUnavailable = true;
                    ReflectorLog.ResourceVersionTooLarge(_logger, _resource, _lastSeen ?? "");
                    return Relist;
                }
                ReflectorLog.WatchFailed(_logger, _resource, e.Message, e);
                return State.Watch;
        }
    }

    // ---- List ---------------------------------------------------------------------------

    private async Task<State> ListAsync(CancellationToken cancellationToken)
    {
        string rv = ResourceVersionRules.ForList(_lastSeen, _lastSeenUnavailable, _options.InitialResourceVersion);
        using (await EnterGateAsync(cancellationToken).ConfigureAwait(false))
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
        var shard = _shard;
        var request = new ListRequest
        {
            ResourceVersion = rv,
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            ShardSelector = shard,
            SkipManagedFields = _skipManagedFields,
            ShareParts = _shareParts,
            TakeItem = !_options.SkipUnchangedOnRelist && _wireTrim is null ? null : (id, message) =>
            {
                if (_options.SkipUnchangedOnRelist && HeldUnchanged(shard, id.Namespace, id.Name, id.Uid, id.ResourceVersion))
                {
                    unchanged++;
                    return true;
                }
                return TakeFromWire(id, message);
            },
        };
        int? pageSize = ResourceVersionRules.PageSize(_options.PageSize, _paginatedResult, rv);
        _store.BeginRelist();
        try
        {
            await foreach (var obj in Pager.ListAllAsync(_listWatch.List, request, pageSize, progress, cancellationToken).ConfigureAwait(false))
            {
                if (IsUnchanged(obj, shard))
                {
                    unchanged++;
                    continue;
                }
                Apply(obj);
            }
        }
        catch
        {
            _store.AbortRelist();
            StreamListMetrics.RelistFailures.Add(1, _tags);
            throw;
        }
        int deleted = EndRelist();
        if (shard is not null && progress.Metadata?.ShardInfo?.Selector != shard.ToString())
            ShardIgnored(shard);
        // client-go: a paginated answer to a "0" list means the server has no watch cache, so paging costs nothing more.
        if (rv == "0" && progress.Pages > 1)
            _paginatedResult = true;
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

    private WatchRequest NewWatchRequest(string? rv, ShardSelector? shard) => new()
    {
        ResourceVersion = rv,
        LabelSelector = _options.LabelSelector,
        FieldSelector = _options.FieldSelector,
        ShardSelector = shard,
        SkipManagedFields = _skipManagedFields,
        ShareParts = _shareParts,
        AllowWatchBookmarks = true,
        TimeoutSeconds = ResourceVersionRules.WatchTimeoutSeconds(_options.MinWatchTimeout, _random),
    };

    private async Task<State> WatchAsync(CancellationToken cancellationToken)
    {
        long events = 0;
        var request = NewWatchRequest(_lastSeen, _shard);
        bool syntheticAdds = ResourceVersionRules.StartsWithSyntheticAdds(request.ResourceVersion);
        if (_wireTrim is not null && !syntheticAdds)
        {
            request = request with
            {
                TakeItem = (id, message) =>
                {
                    if (!EventFromWire(id, message, advance: true))
                        return false;
                    events++;
                    return true;
                },
            };
        }
        ReflectorLog.Watching(_logger, _resource, request.ResourceVersion ?? "", request.TimeoutSeconds ?? 0);
        StreamListMetrics.WatchStarts.Add(1, _tags);
        Statistics.WatchStarted();
        long started = _options.Time.GetTimestamp();
        await foreach (var e in _listWatch.Watch(request, cancellationToken).ConfigureAwait(false))
        {
            events++;
            // client-go propagateRVFromStart=false: from ""/"0", RVs count from the first event that is not an ADDED.
            syntheticAdds &= e.Type == WatchEventKind.Added;
            ApplyEvent(e, advance: !syntheticAdds);
        }
        if (events == 0 && _options.Time.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
            throw new IOException("watch closed within a second without any event"); // as client-go: avoid a hot loop
        ReflectorLog.WatchClosed(_logger, _resource, events, _lastSeen ?? "");
        return State.Watch;
    }

    /// <summary>An ADDED or MODIFIED event's object offered as bytes: applied as <see cref="ApplyEvent"/> would, or false to have it decoded.</summary>
    private bool EventFromWire(ItemIdentity id, in ReadOnlySequence<byte> message, bool advance)
    {
        if (!TakeFromWire(id, message))
            return false;
        StreamListMetrics.WatchEvents.Add(1, _tags);
        Statistics.Event();
        if (advance)
            SetLastSeen(id.ResourceVersion);
        return true;
    }

    private void ApplyEvent(WatchEvent<T> e, bool advance)
    {
        StreamListMetrics.WatchEvents.Add(1, _tags);
        Statistics.Event();
        switch (e.Type)
        {
            case WatchEventKind.Added:
            case WatchEventKind.Modified:
                Apply(e.Object);
                break;
            case WatchEventKind.Deleted:
                Delete(e.Object);
                break;
        }
        if (advance)
            SetLastSeen(e.Object.Metadata?.ResourceVersion);
    }

    // ---- WatchList ----------------------------------------------------------------------

    private async Task<State> WatchListAsync(CancellationToken cancellationToken)
    {
        long unchanged = 0;
        long items = 0;
        bool initialDone = false;
        var shard = _shard;
        var request = NewWatchRequest(ResourceVersionRules.ForWatchList(_lastSeen, _lastSeenUnavailable), shard) with
        {
            SendInitialEvents = true,
            ResourceVersionMatch = "NotOlderThan",
            TakeItem = !_options.SkipUnchangedOnRelist && _wireTrim is null ? null : (id, message) =>
            {
                if (initialDone)
                    return EventFromWire(id, message, advance: true);
                if (_options.SkipUnchangedOnRelist && HeldUnchanged(shard, id.Namespace, id.Name, id.Uid, id.ResourceVersion))
                {
                    unchanged++;
                    return true;
                }
                if (!EventFromWire(id, message, advance: false))
                    return false;
                items++;
                return true;
            },
        };
        using (var slot = await EnterGateAsync(cancellationToken).ConfigureAwait(false))
        {
            // The timeout runs from here: time spent waiting at the gate is not the server's.
            using var initialTimeout = new CancellationTokenSource(_options.WatchListTimeout, _options.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, initialTimeout.Token);
            StreamListMetrics.Relists.Add(1, _tags);
            StreamListMetrics.WatchStarts.Add(1, _tags);
            Statistics.ListStarted();
            Statistics.WatchStarted();
            long started = _options.Time.GetTimestamp();
            string? syncedAt = null;
            _store.BeginRelist();
            try
            {
                await using var events = _listWatch.Watch(request, linked.Token).GetAsyncEnumerator(linked.Token);
                while (!initialDone && await events.MoveNextAsync().ConfigureAwait(false))
                {
                    var e = events.Current;
                    if (e.Type == WatchEventKind.Bookmark)
                    {
                        // Only the end bookmark's RV is the synced RV (client-go takes it after the stream is consistent).
                        if (e.Object.Metadata?.Annotations?.TryGetValue(ResourceVersionRules.InitialEventsEnd, out var v) == true && v == "true")
                        {
                            syncedAt = e.Object.Metadata.ResourceVersion;
                            initialDone = true;
                        }
                        continue;
                    }
                    items++;
                    if (e.Type == WatchEventKind.Added && IsUnchanged(e.Object, shard))
                    {
                        unchanged++;
                        continue;
                    }
                    ApplyEvent(e, advance: false);
                }
                if (!initialDone)
                    throw new IOException("WatchList ended before its initial-events-end bookmark");
                initialTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
                int deleted = EndRelist();
                SetLastSeen(syncedAt);
                _lastSeenUnavailable = false;
                slot.Dispose();
                Current = State.Watch; // from here on, a failure is a watch failure (a 410 relists)
                Statistics.ListCompleted(items + unchanged, unchanged);
                StreamListMetrics.ListItemsSkipped.Add(unchanged, _tags);
                ReflectorLog.Listed(_logger, _resource, items + unchanged, unchanged, deleted, _lastSeen, _options.Time.GetElapsedTime(started).TotalSeconds);
                MarkSynced();

                // The same stream now carries ordinary watch events.
                while (await events.MoveNextAsync().ConfigureAwait(false))
                    ApplyEvent(events.Current, advance: true);
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

    /// <summary>Enters the relist gate (counted while held, for the in-flight gauge).</summary>
    private async ValueTask<IDisposable> EnterGateAsync(CancellationToken cancellationToken)
    {
        ReflectorLog.WaitingForGate(_logger, _resource, _gate.InFlight);
        var slot = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        return StreamListMetrics.RelistInFlight(slot);
    }

    /// <summary>During a relist: <see cref="HeldUnchanged"/> for a decoded object.</summary>
    private bool IsUnchanged(T obj, ShardSelector? shard) =>
        _options.SkipUnchangedOnRelist && obj.Metadata is { Name.Length: > 0 } meta
        && HeldUnchanged(shard, meta.NamespaceProperty, meta.Name, meta.Uid, meta.ResourceVersion);

    /// <summary>
    /// During a relist: true (and marked seen) when the store holds this object with the same uid and
    /// RV. An object outside <paramref name="shard"/> never is: it is filtered, so it must not count as seen.
    /// </summary>
    private bool HeldUnchanged(ShardSelector? shard, string? @namespace, string name, string? uid, string? resourceVersion) =>
        shard?.Matches(uid, @namespace) != false
        && _store.TryMarkUnchanged(ObjectKey.For(@namespace, name), uid ?? "", resourceVersion ?? "");

    private void Apply(T received)
    {
        T obj;
        try
        {
            obj = _options.Transform is { } t ? t(received) : received;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Skip(KeyOf(received), "the transform threw", e);
            return;
        }
        lock (_syncRoot)
        {
            if (OutsideShard(obj.Metadata?.Uid, obj.Metadata?.NamespaceProperty))
                return;
            StoreDelta<T>? delta;
            try
            {
                delta = _store.Upsert(obj);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Skip(KeyOf(obj), "the store refused it", e); // no name, or an index function threw: nothing was changed
                return;
            }
            if (delta is { } d)
                _processor.Distribute(d);
        }
    }

    /// <summary>
    /// Removes a deleted object. As client-go's DeltaFIFO, the transform runs on the deleted object
    /// too (handlers see it as they saw its updates, whichever encoding or list/watch function brought
    /// it); if the transform throws, the object is still deleted, handed out as received, and logged.
    /// </summary>
    private void Delete(T received)
    {
        if (received.Metadata is not { Name.Length: > 0 } meta)
        {
            Skip(KeyOf(received), "a delete without metadata.name", null);
            return;
        }
        T obj = received;
        try
        {
            obj = _options.Transform is { } t ? t(received) : received;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ReflectorLog.DeleteNotTransformed(_logger, _resource, KeyOf(received), e.Message, e);
        }
        lock (_syncRoot)
        {
            if (OutsideShard(meta.Uid, meta.NamespaceProperty))
                return;
            if (_store.Delete(ObjectKey.For(meta), obj) is { } d)
                _processor.Distribute(d);
        }
    }

    /// <summary>
    /// Compact store: stores an object from its message bytes (an owned, trimmed copy), as
    /// <see cref="Apply"/> would store it decoded. False (nothing done) when it must be decoded instead:
    /// objects are stored as objects, a transform of the user's own, no name, or malformed bytes (the
    /// decoder then reports where).
    /// </summary>
    private bool TakeFromWire(ItemIdentity id, in ReadOnlySequence<byte> message)
    {
        if (_wireTrim is not { } trim || id.Name.Length == 0 || OwnedMessage.Copy(message, trim) is not { } owned)
            return false;
        lock (_syncRoot)
        {
            if (OutsideShard(id.Uid, id.Namespace))
                return true;
            StoreDelta<T>? delta;
            try
            {
                delta = _store.UpsertMessage(id, owned);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Skip(ObjectKey.For(id.Namespace, id.Name), "the store refused it", e); // an index function threw, or its decode failed: nothing was changed
                return true;
            }
            Statistics.StoredFromWireOnce();
            if (delta is { } d)
                _processor.Distribute(d);
        }
        return true;
    }

    /// <summary>True (counted) when a shard is in force and the object is outside it: the server did not filter it.</summary>
    private bool OutsideShard(string? uid, string? @namespace)
    {
        if (_shard is not { } shard || shard.Matches(uid, @namespace))
            return false;
        Statistics.ShardFilteredOnce();
        StreamListMetrics.ShardFiltered.Add(1, _tags);
        ShardIgnored(shard); // also for a WatchList, whose stream echoes no shardInfo
        return true;
    }

    /// <summary>A list came back without its shard selector echoed, or an object outside it arrived: the server ignored it; we filter (logged once).</summary>
    private void ShardIgnored(ShardSelector shard)
    {
        if (_loggedShardFallback)
            return;
        _loggedShardFallback = true;
        ReflectorLog.ShardSelectorIgnored(_logger, _resource, shard.ToString(), Statistics.ShardFiltered);
    }

    private void Skip(string key, string reason, Exception? e)
    {
        Statistics.ObjectSkipped(e);
        StreamListMetrics.ObjectsSkipped.Add(1, _tags);
        ReflectorLog.ObjectSkipped(_logger, _resource, key, reason, e?.Message ?? "", e);
    }

    private static string KeyOf(T obj) => obj.Metadata is { } m ? ObjectKey.For(m) : "(no metadata)";

    /// <summary>Removes what the relist did not see and tells handlers, under syncRoot; returns how many.</summary>
    private int EndRelist()
    {
        lock (_syncRoot)
        {
            var deletes = _store.EndRelist();
            foreach (var d in deletes)
                _processor.Distribute(d);
            return deletes.Count;
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
        _syncedTask.TrySetResult(true);
    }
}
