using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using StreamList.Http;

namespace StreamList.Informers;

/// <summary>
/// One informer per resource (type and namespace) for a whole process, shared by every handler
/// that asks for it, as client-go's SharedInformerFactory: <see cref="GetInformer{T}(string?, Func{InformerOptions{T}, InformerOptions{T}}?)"/>
/// creates it once; <see cref="Start"/> starts every informer created (and any created later);
/// <see cref="WaitForCacheSyncAsync(CancellationToken)"/> waits for all of them; <see cref="StopAsync"/> stops them.
/// The factory's informers share one relist gate (their own, unless
/// <see cref="SharedInformerFactoryOptions.RelistGate"/> names another, e.g. <see cref="Memory.RelistGate.Shared"/>
/// for the whole process), so a storm never runs their relists at once; informers of other
/// factories never wait at it.
/// </summary>
public sealed class SharedInformerFactory : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly SharedInformerFactoryOptions _options;
    private readonly Memory.RelistGate _gate;
    private readonly ConcurrentDictionary<(Type, string?), Lazy<IAsyncDisposable>> _informers = new();
    private readonly object _lock = new();
    private bool _started;

    /// <summary>Creates a factory over a KubernetesClient client (nothing starts here).</summary>
    public SharedInformerFactory(IKubernetes client, SharedInformerFactoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new SharedInformerFactoryOptions();
        _gate = _options.RelistGate ?? new Memory.RelistGate();
    }

    /// <summary>The relist gate this factory's informers share.</summary>
    public Memory.RelistGate RelistGate => _gate;

    /// <summary>Informers created so far.</summary>
    public int Count => _informers.Count;

    /// <summary>
    /// The shared informer for <typeparamref name="T"/> in <paramref name="namespace"/> (null: all
    /// namespaces). <paramref name="configure"/> applies only when this call creates it. After
    /// <see cref="Start"/>, a new informer starts at once.
    /// </summary>
    public Informer<T> GetInformer<T>(string? @namespace = null, Func<InformerOptions<T>, InformerOptions<T>>? configure = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var lazy = _informers.GetOrAdd((typeof(T), @namespace), _ => new Lazy<IAsyncDisposable>(() => Create(@namespace, configure)));
        var informer = (Informer<T>)lazy.Value;
        lock (_lock)
        {
            if (_started)
                informer.Start();
        }
        return informer;
    }

    private Informer<T> Create<T>(string? @namespace, Func<InformerOptions<T>, InformerOptions<T>>? configure)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var options = new InformerOptions<T>
        {
            StoreMode = _options.StoreMode,
            RelistGate = _gate,
            Time = _options.Time,
            LoggerFactory = _options.LoggerFactory,
            UseWatchList = _options.UseWatchList,
        };
        if (configure is not null)
            options = configure(options);
        string name = @namespace is null ? typeof(T).Name : $"{typeof(T).Name}/{@namespace}";
        return new Informer<T>(_client.CreateListWatch<T>(@namespace, _options.Streaming), options, name);
    }

    private IEnumerable<IInformer> All => _informers.Values.Where(l => l.IsValueCreated).Select(l => (IInformer)l.Value);

    /// <summary>Starts every informer created so far, and any created later.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _started = true;
            foreach (var informer in All)
                informer.Start();
        }
    }

    /// <summary>
    /// Completes with true once every informer created so far has synced, or with false as soon as
    /// they have all either synced or stopped and one stopped unsynced (client-go's
    /// <c>WaitForCacheSync</c>).
    /// </summary>
    /// <exception cref="InformersNotSyncedException"><paramref name="cancellationToken"/> was cancelled first: names every informer not synced and its last error.</exception>
    public async Task<bool> WaitForCacheSyncAsync(CancellationToken cancellationToken = default)
    {
        var informers = All.ToList();
        try
        {
            var results = await Task.WhenAll(informers.Select(i => i.WaitForSyncAsync(cancellationToken))).ConfigureAwait(false);
            return results.All(static synced => synced);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new InformersNotSyncedException([.. informers.Where(i => !i.HasSynced).Select(i => i.Unsynced())], cancellationToken);
        }
    }

    /// <summary>Waits as <see cref="WaitForCacheSyncAsync(CancellationToken)"/> for at most <paramref name="timeout"/> (on the factory's clock).</summary>
    /// <exception cref="InformersNotSyncedException">Some informer had not synced within <paramref name="timeout"/>, or the wait was cancelled.</exception>
    public async Task<bool> WaitForCacheSyncAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var timer = new CancellationTokenSource(timeout, _options.Time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        return await WaitForCacheSyncAsync(deadline.Token).ConfigureAwait(false);
    }

    /// <summary>The informers created so far that have not synced (yet, or ever): each with its failures and last error. Empty once all synced.</summary>
    public IReadOnlyList<UnsyncedInformer> GetUnsynced() => [.. All.Where(i => !i.HasSynced).Select(i => i.Unsynced())];

    /// <summary>Stops every informer and waits for them.</summary>
    public Task StopAsync() => Task.WhenAll(All.Select(i => i.StopAsync()));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var informer in _informers.Values.Where(l => l.IsValueCreated))
            await informer.Value.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Options every informer of a <see cref="SharedInformerFactory"/> starts from.</summary>
public sealed record SharedInformerFactoryOptions
{
    /// <summary>How lists and watches talk to the apiserver.</summary>
    public StreamingOptions Streaming { get; init; } = StreamingOptions.Default;

    /// <summary>How caches hold objects.</summary>
    public StoreMode StoreMode { get; init; } = StoreMode.Objects;

    /// <summary>Use WatchList where the server supports it.</summary>
    public bool UseWatchList { get; init; }

    /// <summary>The relist gate all the factory's informers share: null gives the factory its own; <see cref="Memory.RelistGate.Shared"/> makes it process-wide.</summary>
    public Memory.RelistGate? RelistGate { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where logs go.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}
