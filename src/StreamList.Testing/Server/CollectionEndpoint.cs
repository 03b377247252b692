using System.Buffers;
using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using StreamList.Watching;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Testing.Server;

/// <summary>What <see cref="FakeApiServer"/> routes to one <see cref="ObjectCollection{T}"/>.</summary>
internal interface ICollectionEndpoint
{
    Task HandleAsync(HttpContext context, string? pathNamespace, string? name, BodyEncoding encoding, CancellationToken cancellationToken);
}

/// <summary>
/// Serves an <see cref="ObjectCollection{T}"/> over HTTP as the apiserver serves a resource: GET a
/// list, a watch (<c>watch=true</c>) or one object by name; POST creates (201), PUT replaces (409 on
/// a stale resourceVersion), DELETE removes. Lists are whole (small collections: <c>limit</c> is not
/// applied); selectors: <c>metadata.namespace</c> and <c>metadata.name</c> fields, label equality.
/// resourceVersion and watch rules are the pods' (<see cref="WatchQuery"/>): a version newer than the
/// collection's is waited for up to <see cref="FakeApiServer.FreshnessWait"/>, then 504; a watch from a
/// version older than the history gets one 410 ERROR event. Writes take JSON bodies (what
/// KubernetesClient sends); answers come in the negotiated encoding.
/// </summary>
internal sealed class CollectionEndpoint<T>(FakeApiServer server, ObjectCollection<T> collection) : ICollectionEndpoint
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public async Task HandleAsync(HttpContext context, string? pathNamespace, string? name, BodyEncoding encoding, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (collection.Namespaced is false && pathNamespace is not null)
        {
            await StatusResponses.WriteAsync(context, StatusResponses.NotFound(request.Path.Value ?? "/"), encoding, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            switch (request.Method)
            {
                case "GET" when name is not null:
                    await WriteObjectAsync(context, 200, collection.Get(pathNamespace, name) ?? throw NotFound(name), encoding, cancellationToken).ConfigureAwait(false);
                    return;
                case "GET" when request.Query["watch"] is [var w] && w is "true" or "1":
                    await WatchAsync(context, pathNamespace, encoding, cancellationToken).ConfigureAwait(false);
                    return;
                case "GET":
                    await ListAsync(context, pathNamespace, encoding, cancellationToken).ConfigureAwait(false);
                    return;
                case "POST" when name is null:
                    var created = collection.Create(await ReadBodyAsync(context, pathNamespace, null, cancellationToken).ConfigureAwait(false));
                    await WriteObjectAsync(context, 201, created, encoding, cancellationToken).ConfigureAwait(false);
                    return;
                case "PUT" when name is not null:
                    var updated = collection.Update(await ReadBodyAsync(context, pathNamespace, name, cancellationToken).ConfigureAwait(false));
                    await WriteObjectAsync(context, 200, updated, encoding, cancellationToken).ConfigureAwait(false);
                    return;
                case "DELETE" when name is not null:
                    if (!collection.Delete(pathNamespace, name))
                        throw NotFound(name);
                    await StatusResponses.WriteAsync(context, StatusResponses.Success(name, collection.Plural), encoding, cancellationToken).ConfigureAwait(false);
                    return;
                default:
                    await StatusResponses.WriteAsync(context, StatusResponses.MethodNotAllowed(request.Method), encoding, cancellationToken).ConfigureAwait(false);
                    return;
            }
        }
        catch (ObjectConflictException e)
        {
            await StatusResponses.WriteAsync(context, StatusResponses.Refused(e.Reason, e.Message, name, collection.Plural), encoding, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await StatusResponses.WriteAsync(context, StatusResponses.BadRequest(e.Message), encoding, cancellationToken).ConfigureAwait(false);
        }
    }

    private ObjectConflictException NotFound(string name) => new("NotFound", $"{collection.Kind.ToLowerInvariant()} \"{name}\" not found");

    private static async Task<T> ReadBodyAsync(HttpContext context, string? pathNamespace, string? name, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        T obj;
        try
        {
            obj = KubernetesJson.Deserialize<T>(text) ?? throw new ArgumentException("the body is empty");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException("the body is not a JSON object of this kind: " + e.Message, e);
        }
        var meta = obj.Metadata ??= new V1ObjectMeta();
        if (pathNamespace is not null)
        {
            if (meta.NamespaceProperty is { Length: > 0 } ns && ns != pathNamespace)
                throw new ArgumentException($"the namespace of the object ({ns}) does not match the namespace on the request ({pathNamespace})");
            meta.NamespaceProperty = pathNamespace;
        }
        if (name is not null && meta.Name != name)
            throw new ArgumentException($"the name of the object ({meta.Name}) does not match the name on the URL ({name})");
        return obj;
    }

    private async Task ListAsync(HttpContext context, string? pathNamespace, BodyEncoding encoding, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (!TryFilter(query, pathNamespace, out var filter, out string error))
        {
            await StatusResponses.WriteAsync(context, StatusResponses.BadRequest(error), encoding, cancellationToken).ConfigureAwait(false);
            return;
        }
        string rv = query["resourceVersion"].ToString();
        if (rv.Length > 0 && rv != "0")
        {
            if (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out long requested))
            {
                await StatusResponses.WriteAsync(context, StatusResponses.BadRequest($"invalid resource version \"{rv}\""), encoding, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (!await collection.WaitForAsync(requested, FakeApiServer.FreshnessWait, server.Options.TimeProvider, cancellationToken).ConfigureAwait(false))
            {
                await StatusResponses.WriteAsync(context, StatusResponses.ResourceVersionTooLarge(requested, collection.ResourceVersion), encoding, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        var (objects, version) = collection.Snapshot();
        var items = objects.Where(o => Selects(filter, o)).ToList();
        var metadata = new V1ListMeta
        {
            ResourceVersion = version.ToString(CultureInfo.InvariantCulture),
            ShardInfo = filter.ShardInfo,
        };
        var body = new ArrayBufferWriter<byte>();
        if (encoding == BodyEncoding.Protobuf)
        {
            var messages = items.Select(ListEncoding.EncodeMessage).ToList();
            ListEncoding.WritePrefix(body, collection.ApiVersion, collection.Kind + "List", metadata, messages.Sum(m => ListEncoding.ItemFieldSize(m.Length)));
            foreach (var message in messages)
                ListEncoding.WriteItem(body, message);
            body.Write(ListEncoding.Suffix);
        }
        else
        {
            string json = $"{{\"kind\":\"{collection.Kind}List\",\"apiVersion\":\"{collection.ApiVersion}\",\"metadata\":{KubernetesJson.Serialize(metadata)},\"items\":[{string.Join(",", items.Select(i => KubernetesJson.Serialize(i)))}]}}";
            body.Write(Encoding.UTF8.GetBytes(json));
        }
        await WriteAsync(context, 200, ContentNegotiation.MediaType(encoding), body.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private async Task WatchAsync(HttpContext context, string? pathNamespace, BodyEncoding encoding, CancellationToken cancellationToken)
    {
        var options = server.Options;
        if (!WatchQuery.TryParse(context.Request.Query, pathNamespace, options.WatchListMode, !options.IgnoreShardSelector, out var query, out var invalid))
        {
            await StatusResponses.WriteAsync(context, invalid!, encoding, cancellationToken).ConfigureAwait(false);
            return;
        }
        var filter = query!.Filter;
        V1Status? refusal = null;
        if (query.Kind == RequestKind.WatchList && query.ResourceVersionNumber is { } requested
            && !await collection.WaitForAsync(requested, FakeApiServer.FreshnessWait, options.TimeProvider, cancellationToken).ConfigureAwait(false))
            refusal = StatusResponses.ResourceVersionTooLarge(requested, collection.ResourceVersion);
        var subscription = refusal is null ? collection.Subscribe(query.From, query.InitialState) : null;
        refusal ??= subscription is null ? WatchStatuses.TooOld(query.From ?? 0, collection.Floor) : null;

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = WatchEventWriter.ContentType(encoding);
        response.Headers.CacheControl = "no-cache, private";
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            await WriteEventAsync(response, encoding, "ERROR", refusal, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await StreamAsync(response, subscription!, query, filter, encoding, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            subscription!.Unsubscribe();
        }
    }

    private async Task StreamAsync(HttpResponse response, WatchSubscription<T> subscription, WatchQuery query, PodFilter filter, BodyEncoding encoding,
        CancellationToken cancellationToken)
    {
        var time = server.Options.TimeProvider;
        using var timeout = query.TimeoutSeconds is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), time) : new CancellationTokenSource();
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        long progress = subscription.Start;
        foreach (var change in subscription.First)
        {
            progress = Math.Max(progress, change.ResourceVersion);
            if (Selects(filter, change.Object))
                await WriteEventAsync(response, encoding, WatchRecord.TypeName(change.Type), change.Object, cancellationToken).ConfigureAwait(false);
        }
        if (query.InitialEventsEndBookmark)
            await WriteEventAsync(response, encoding, "BOOKMARK", Bookmark(subscription.Current, initialEventsEnd: true), cancellationToken).ConfigureAwait(false);

        using var bookmarks = query.AllowBookmarks && server.Options.BookmarkInterval > TimeSpan.Zero
            ? new PeriodicTimer(server.Options.BookmarkInterval, time)
            : null;
        Task<bool>? read = null; // one pending wait each: a single-reader channel and a periodic timer allow no more
        Task<bool>? tick = null;
        try
        {
            while (true)
            {
                read ??= subscription.Live.WaitToReadAsync(ending.Token).AsTask();
                tick ??= bookmarks?.WaitForNextTickAsync(ending.Token).AsTask();
                await (tick is null ? read : (Task)Task.WhenAny(read, tick)).ConfigureAwait(false);
                if (read.IsCompleted)
                {
                    if (!await read.ConfigureAwait(false))
                        return; // the collection closed this watch
                    read = null;
                    while (subscription.Live.TryRead(out var change))
                    {
                        progress = Math.Max(progress, change.ResourceVersion);
                        if (change.ResourceVersion > subscription.Start && Selects(filter, change.Object))
                            await WriteEventAsync(response, encoding, WatchRecord.TypeName(change.Type), change.Object, cancellationToken).ConfigureAwait(false);
                    }
                }
                if (tick is { IsCompleted: true })
                {
                    await tick.ConfigureAwait(false);
                    tick = null;
                    if (progress > subscription.Start) // as the cacher's watchers: no bookmark at or below the start version
                        await WriteEventAsync(response, encoding, "BOOKMARK", Bookmark(progress, initialEventsEnd: false), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // timeoutSeconds passed: the stream ends normally
        }
    }

    private static T Bookmark(long resourceVersion, bool initialEventsEnd)
    {
        var bookmark = Activator.CreateInstance<T>();
        bookmark.Metadata = WatchEventWriter.BookmarkMetadata(resourceVersion, initialEventsEnd);
        return bookmark;
    }

    private async Task WriteEventAsync(HttpResponse response, BodyEncoding encoding, string type, object obj, CancellationToken cancellationToken)
    {
        if (obj is T typed)
        {
            typed.ApiVersion ??= collection.ApiVersion;
            typed.Kind ??= collection.Kind;
        }
        await response.Body.WriteAsync(WatchEventWriter.EncodeObject(encoding, type, obj), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteObjectAsync(HttpContext context, int status, T obj, BodyEncoding encoding, CancellationToken cancellationToken)
    {
        byte[] body = encoding == BodyEncoding.Protobuf ? KubernetesProtobuf.Encode(obj) : Encoding.UTF8.GetBytes(KubernetesJson.Serialize(obj));
        await WriteAsync(context, status, ContentNegotiation.MediaType(encoding), body, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    private bool TryFilter(IQueryCollection query, string? pathNamespace, out PodFilter filter, out string error) =>
        PodFilter.TryParse(query, pathNamespace, !server.Options.IgnoreShardSelector, out filter, out error);

    private static bool Selects(PodFilter filter, T obj) => filter.MatchesNamespace(obj.Metadata?.NamespaceProperty) && filter.MatchesObject(obj.Metadata);
}
