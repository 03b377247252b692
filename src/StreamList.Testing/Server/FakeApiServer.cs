using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace StreamList.Testing.Server;

/// <summary>
/// A scriptable Kubernetes API server for tests and benchmarks: real Kestrel on 127.0.0.1 (a free
/// port), HTTP/1.1 and cleartext HTTP/2, serving LIST and WATCH of pods from a <see cref="PodPopulation"/>
/// in protobuf or JSON, streamed item by item (it never holds a list body), with faults, slowness
/// and chunking set by <see cref="FakeApiServerOptions"/> and <see cref="Faults"/>; watch, storm and
/// admin members are in FakeApiServer.Watch.cs.
/// </summary>
/// <example>
/// <code>
/// await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 500 }, ct);
/// using var http = new HttpClient { BaseAddress = server.BaseAddress };
/// var body = await http.GetByteArrayAsync("/api/v1/pods?limit=100", ct);
/// </code>
/// </example>
public sealed partial class FakeApiServer : IAsyncDisposable
{
    private const int MaxRecorded = 10_000;

    /// <summary>How long a read at a resourceVersion newer than the server's waits for it before 504 (the apiserver's watch cache waits 3 s).</summary>
    internal static readonly TimeSpan FreshnessWait = TimeSpan.FromSeconds(3);

    private readonly WebApplication _app;
    private readonly ListEndpoint _list;
    private readonly WatchDispatcher _dispatcher;
    private readonly WatchEndpoint _watch;
    private readonly StormLoop _storm;
    private readonly AdminEndpoint _admin;
    private readonly CancellationTokenSource _stopping;
    private readonly ConcurrentQueue<RecordedRequest> _recorded = new();
    private readonly ConcurrentDictionary<string, (object Collection, ICollectionEndpoint Endpoint)> _collections = new();
    private FaultPlan _faults;
    private readonly long[] _kinds = new long[Enum.GetValues<RequestKind>().Length];
    private long _requests;
    private int _disposed;

    private FakeApiServer(WebApplication app, FakeApiServerOptions options, PodPopulation population, CancellationTokenSource stopping)
    {
        _app = app;
        _stopping = stopping;
        Options = options;
        Population = population;
        _faults = options.Faults;
        _list = new ListEndpoint(this);
        _dispatcher = new WatchDispatcher(population, options.WatchHistorySize);
        _watch = new WatchEndpoint(this, _dispatcher);
        _storm = new StormLoop(population, Compact, options.TimeProvider);
        _admin = new AdminEndpoint(this);
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The options the server was started with.</summary>
    public FakeApiServerOptions Options { get; }

    /// <summary>The pods served; change them while the server runs.</summary>
    public PodPopulation Population { get; }

    /// <summary>Faults for the next requests; replace at any time (requests consume counts atomically).</summary>
    public FaultPlan Faults
    {
        get => Volatile.Read(ref _faults);
        set => Volatile.Write(ref _faults, value ?? FaultPlan.None);
    }

    /// <summary>Requests received so far (all paths and outcomes).</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>LIST and WATCH requests of <paramref name="kind"/> received so far (counted once the query was valid, whatever the answer).</summary>
    public long CountRequests(RequestKind kind) => Interlocked.Read(ref _kinds[(int)kind]);

    /// <summary>The requests answered so far, oldest first (the last 10,000).</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _recorded];

    /// <summary>
    /// The collection of <typeparamref name="T"/> this server serves beside its pods (made on first
    /// use, empty), at <c>/api/v1/nodes</c>, <c>/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices</c>
    /// and so on. Cluster-scoped unless <typeparamref name="T"/> is namespaced; <paramref name="namespaced"/>
    /// decides for kinds this server does not know (default: namespaced).
    /// </summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is <see cref="V1Pod"/> (served from <see cref="Population"/>) or has no KubernetesEntity attribute.</exception>
    public ObjectCollection<T> Collection<T>(bool? namespaced = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (typeof(T) == typeof(V1Pod))
            throw new ArgumentException("pods are served from the population (FakeApiServer.Population)", nameof(T));
        var resource = StreamList.Http.ResourceDescriptor.For<T>();
        string route = $"{resource.Group}/{resource.Version}/{resource.Plural}";
        var entry = _collections.GetOrAdd(route, _ =>
        {
            var collection = new ObjectCollection<T>(namespaced ?? !ClusterScoped.Contains(typeof(T)), 1, Options.TimeProvider);
            return (collection, new CollectionEndpoint<T>(this, collection));
        });
        return (ObjectCollection<T>)entry.Collection;
    }

    /// <summary>Built-in kinds that live outside namespaces.</summary>
    private static readonly HashSet<Type> ClusterScoped =
    [
        typeof(V1Node), typeof(V1Namespace), typeof(V1PersistentVolume), typeof(V1StorageClass), typeof(V1ClusterRole),
        typeof(V1ClusterRoleBinding), typeof(V1PriorityClass), typeof(V1CustomResourceDefinition), typeof(V1CSIDriver),
    ];

    /// <summary>Starts a server; dispose it to stop.</summary>
    public static async Task<FakeApiServer> StartAsync(FakeApiServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var population = options.Population ?? new PodPopulation(options.Seed, options.Pods, options.RetainedSnapshots);

        var stopping = new CancellationTokenSource();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<IHostLifetime, QuietHostLifetime>();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MinResponseDataRate = null; // slow (ChunkDelay) bodies are the point
            k.Limits.Http2.MaxStreamsPerConnection = Math.Max(1, options.Http2MaxStreamsPerConnection); // many watches on one connection
            var protocols = ToKestrel(options.Protocols);
            k.AllowAlternateSchemes = protocols == HttpProtocols.Http1AndHttp2; // h2c requests say :scheme http on a "TLS" connection
            k.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = protocols;
                if (protocols == HttpProtocols.Http1AndHttp2)
                    listen.Use(H2cPriorKnowledge.Middleware(stopping.Token));
            });
        });
        var app = builder.Build();
        var server = new FakeApiServer(app, options, population, stopping);
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        if (options.EventRate > 0 || options.CompactEvery is not null)
            server.StartStorm(options.EventRate, options.CompactEvery);
        return server;
    }

    /// <summary>Stops the server, cutting any response still streaming.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _storm.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _dispatcher.Dispose();
            _stopping.Dispose();
        }
    }

    /// <summary>
    /// Takes one count of a fault when <paramref name="has"/> holds for the current plan, replacing
    /// the plan with <paramref name="consume"/>'s result atomically; <paramref name="taken"/> is the
    /// plan it was taken from.
    /// </summary>
    internal bool TakeFault(Func<FaultPlan, bool> has, Func<FaultPlan, FaultPlan> consume, out FaultPlan taken)
    {
        while (true)
        {
            var plan = Faults;
            taken = plan;
            if (!has(plan))
                return false;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _faults, consume(plan), plan), plan))
                return true;
        }
    }

    /// <summary>Counts one valid LIST or WATCH request of <paramref name="kind"/>.</summary>
    internal void Count(RequestKind kind) => Interlocked.Increment(ref _kinds[(int)kind]);

    private async Task HandleAsync(HttpContext context)
    {
        long number = Interlocked.Increment(ref _requests);
        var request = context.Request;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var ct = cancel.Token;
        var encoding = BodyEncoding.Json;
        try
        {
            if (AdminEndpoint.Handles(request.Path.Value))
            {
                await _admin.HandleAsync(context, ct).ConfigureAwait(false);
                return;
            }
            if (ContentNegotiation.Choose(request.Headers.Accept, Options.AllowProtobuf) is not { } chosen)
            {
                await StatusResponses.WriteAsync(context, StatusResponses.NotAcceptable(request.Headers.Accept), BodyEncoding.Json, ct).ConfigureAwait(false);
                return;
            }
            encoding = chosen;
            if (TryRouteCollection(request.Path.Value, out var endpoint, out string? collectionNamespace, out string? name))
            {
                await endpoint.HandleAsync(context, collectionNamespace, name, encoding, ct).ConfigureAwait(false);
                return;
            }
            if (!TryRoute(request.Path.Value, out string? ns))
            {
                await StatusResponses.WriteAsync(context, StatusResponses.NotFound(request.Path.Value ?? "/"), encoding, ct).ConfigureAwait(false);
                return;
            }
            if (!HttpMethods.IsGet(request.Method))
            {
                await StatusResponses.WriteAsync(context, StatusResponses.MethodNotAllowed(request.Method), encoding, ct).ConfigureAwait(false);
                return;
            }
            if (request.Query["watch"] is [var watch] && watch is "true" or "1")
            {
                await _watch.HandleAsync(context, ns, encoding, number, ct).ConfigureAwait(false);
                return;
            }
            await _list.HandleAsync(context, ns, encoding, number, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || ct.IsCancellationRequested)
        {
            // The client went away, the server is stopping, or a fault cut the connection.
            context.Abort();
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await StatusResponses.WriteAsync(context, StatusResponses.InternalError(e.Message), encoding, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            context.Abort();
        }
        finally
        {
            Record(number, context);
        }
    }

    /// <summary>Matches <c>/api/v1/pods</c> (namespace null) and <c>/api/v1/namespaces/{ns}/pods</c>.</summary>
    private static bool TryRoute(string? path, out string? ns)
    {
        ns = null;
        var parts = (path ?? "").Trim('/').Split('/');
        if (parts is ["api", "v1", "pods"])
            return true;
        if (parts is ["api", "v1", "namespaces", { Length: > 0 } name, "pods"])
        {
            ns = name;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Matches a collection's paths: <c>/api/{v}/{plural}[/{name}]</c>, <c>/apis/{group}/{v}/{plural}[/{name}]</c>,
    /// each optionally with <c>/namespaces/{ns}</c> before the plural.
    /// </summary>
    private bool TryRouteCollection(string? path, out ICollectionEndpoint endpoint, out string? ns, out string? name)
    {
        endpoint = null!;
        ns = null;
        name = null;
        var parts = (path ?? "").Trim('/').Split('/');
        string group;
        int at;
        if (parts is ["api", _, ..])
            (group, at) = ("", 1);
        else if (parts is ["apis", _, _, ..])
            (group, at) = (parts[1], 2);
        else
            return false;
        string version = parts[at];
        var rest = parts.AsSpan(at + 1);
        if (rest is ["namespaces", { Length: > 0 }, _, ..])
        {
            ns = Uri.UnescapeDataString(rest[1]);
            rest = rest[2..];
        }
        if (rest.Length is < 1 or > 2 || !_collections.TryGetValue($"{group}/{version}/{rest[0]}", out var entry))
        {
            // "/api/v1/namespaces/x" is the namespace x itself when namespaces are served.
            if (ns is not null && rest.Length == 0 && _collections.TryGetValue($"{group}/{version}/namespaces", out var namespaces))
            {
                (endpoint, name, ns) = (namespaces.Endpoint, ns, null);
                return true;
            }
            return false;
        }
        endpoint = entry.Endpoint;
        name = rest.Length == 2 ? Uri.UnescapeDataString(rest[1]) : null;
        return true;
    }

    private void Record(long number, HttpContext context)
    {
        var r = context.Request;
        _recorded.Enqueue(new RecordedRequest(number, r.Method, r.Path.Value ?? "", r.QueryString.Value ?? "", r.Protocol,
            r.Headers.Accept.Count > 0 ? r.Headers.Accept.ToString() : null,
            r.Headers.AcceptEncoding.Count > 0 ? r.Headers.AcceptEncoding.ToString() : null,
            context.Response.StatusCode, context.Response.ContentType));
        while (_recorded.Count > MaxRecorded)
            _recorded.TryDequeue(out _);
    }

    private static HttpProtocols ToKestrel(ServerProtocols protocols) => protocols switch
    {
        ServerProtocols.Http1 => HttpProtocols.Http1,
        ServerProtocols.Http2 => HttpProtocols.Http2,
        ServerProtocols.Http1 | ServerProtocols.Http2 => HttpProtocols.Http1AndHttp2,
        _ => throw new ArgumentOutOfRangeException(nameof(protocols), protocols, "choose Http1, Http2 or both"),
    };
}
