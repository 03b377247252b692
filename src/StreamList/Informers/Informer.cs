using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamList.Diagnostics;
using StreamList.Listing;
using StreamList.Sharding;
using StreamList.Watching;

namespace StreamList.Informers;

/// <summary>
/// A client-go-style informer: keeps a local, indexed cache of one collection in step with the
/// server (list, then watch; relist on 410) and tells handlers of every change.
///
/// Contract: nothing starts in the constructor; <see cref="Start"/> runs the reflector in the
/// background until <see cref="StopAsync"/>. Handlers added at any time first receive the current
/// contents as adds. Reads of <see cref="Store"/> are safe from any thread.
/// </summary>
public sealed class Informer<T> : IAsyncDisposable, IInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly object _syncRoot = new();
    private readonly InformerStore<T> _store;
    private readonly HandlerProcessor<T> _processor;
    private readonly Reflector<T> _reflector;
    private readonly TimeProvider _time;
    private CancellationTokenSource? _stop;
    private IDisposable? _storeGauge;
    private Task? _run;
    private bool _stopped;

    /// <summary>Creates an informer over a list/watch pair (e.g. <c>client.CreateListWatch&lt;V1Pod&gt;()</c>).</summary>
    /// <param name="listWatch">Where objects come from.</param>
    /// <param name="options">Cache, selector, WatchList, time and logging options.</param>
    /// <param name="name">Name for logs and metrics (default: the type name).</param>
    public Informer(ListWatch<T> listWatch, InformerOptions<T>? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(listWatch);
        options ??= new InformerOptions<T>();
        Name = name ?? typeof(T).Name;
        _time = options.Time;
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("StreamList.Informer." + Name);
        _store = new InformerStore<T>(options.StoreMode, options.Indexers, options.Decode);
        _processor = new HandlerProcessor<T>(options.Time, logger, _store.SnapshotPayloads, _syncRoot, _store.ReadPayload);
        _reflector = new Reflector<T>(listWatch, _store, _processor, _syncRoot, options, Name, logger);
    }

    /// <summary>Name used in logs and metrics.</summary>
    public string Name { get; }

    /// <summary>The cache.</summary>
    public IStore<T> Store => _store;

    /// <summary>True once the first list (or WatchList) has filled the cache.</summary>
    public bool HasSynced => _reflector.HasSynced;

    /// <summary>The resourceVersion of the last change or bookmark applied.</summary>
    public string? LastSyncResourceVersion => _reflector.LastSeenResourceVersion;

    /// <summary>The shard selector in force, or null for the whole collection.</summary>
    public ShardSelector? ShardSelector => _reflector.Shard;

    /// <summary>
    /// Switches the informer to another shard (null: the whole collection). Objects outside the new
    /// shard are removed at once, their deletes queued to every handler before this returns; the
    /// running list or watch ends. When the new shard is within the old one the watch resumes from
    /// the last resourceVersion with the new selector; otherwise a relist there brings the objects
    /// that entered the shard (those still in it are recognised unchanged and not decoded again).
    /// Nothing happens when <paramref name="selector"/> equals the one in force.
    /// </summary>
    public void ChangeShardSelector(ShardSelector? selector)
    {
        bool widened;
        lock (_syncRoot)
        {
            var old = _reflector.Shard;
            if (Equals(old, selector))
                return;
            widened = selector is null ? old is not null : !selector.IsWithin(old);
            _reflector.SwitchShard(selector);
        }
        _reflector.RestartPass(relist: widened);
    }

    /// <summary>Lists, relists, watch restarts, events and failures so far.</summary>
    public InformerStatistics Statistics => _reflector.Statistics;

    /// <summary>
    /// Adds a handler. It first receives every cached object as an add, then every change, in order,
    /// on its own queue. <paramref name="resyncPeriod"/> re-delivers every object as an update that often.
    /// The cache is snapshotted under the informer's lock without decoding anything; a compact store's
    /// objects are decoded on the handler's own queue, so adding a handler never holds up the watch.
    /// </summary>
    public HandlerRegistration AddEventHandler(IResourceEventHandler<T> handler, TimeSpan? resyncPeriod = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_syncRoot)
        {
            _store.NeedOldObjects = true;
            return _processor.AddHandler(handler, _store.SnapshotPayloads(), resyncPeriod);
        }
    }

    /// <summary>Starts listing and watching in the background. Calling it again, or after <see cref="StopAsync"/>, does nothing.</summary>
    public void Start()
    {
        lock (_syncRoot)
        {
            if (_run is not null || _stopped)
                return;
            _stop = new CancellationTokenSource();
            var token = _stop.Token;
            _storeGauge = StreamListMetrics.TrackStore(Name, () => _store.Count);
            _run = Task.Run(() => _reflector.RunAsync(token), token);
        }
    }

    /// <summary>
    /// Completes with true once the cache has synced, or with false when the informer stopped before
    /// it synced (as client-go's <c>WaitForCacheSync</c>). When <paramref name="cancellationToken"/> is
    /// cancelled first, throws <see cref="InformersNotSyncedException"/> (an
    /// <see cref="OperationCanceledException"/>) naming the informer and its last error.
    /// </summary>
    public async Task<bool> WaitForSyncAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _reflector.Synced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !HasSynced)
        {
            throw new InformersNotSyncedException([Unsynced()], cancellationToken);
        }
    }

    /// <summary>Waits as <see cref="WaitForSyncAsync(CancellationToken)"/> for at most <paramref name="timeout"/> (on the informer's clock).</summary>
    /// <exception cref="InformersNotSyncedException">Not synced within <paramref name="timeout"/>, or cancelled.</exception>
    public async Task<bool> WaitForSyncAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        return await WaitForSyncAsync(deadline.Token).ConfigureAwait(false);
    }

    /// <summary>What a wait that ended before the sync reports about this informer.</summary>
    UnsyncedInformer IInformer.Unsynced() => Unsynced();

    internal UnsyncedInformer Unsynced() => new(Name, Statistics.Failures, Statistics.LastError);

    /// <summary>Stops the reflector and handler delivery, and waits for both.</summary>
    public async Task StopAsync()
    {
        Task? run;
        lock (_syncRoot)
        {
            _stopped = true;
            run = _run;
            _stop?.Cancel();
            _storeGauge?.Dispose();
            _storeGauge = null;
        }
        if (run is not null)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        _reflector.Stopped(); // also when it never ran: waiters for sync get false
        await _processor.StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the informer (<see cref="StopAsync"/>) and releases it; calling it again does nothing more.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        CancellationTokenSource? stop;
        lock (_syncRoot)
        {
            stop = _stop;
            _stop = null; // a second StopAsync or DisposeAsync finds nothing to cancel (a host disposes the informer and its factory)
        }
        stop?.Dispose();
    }
}
