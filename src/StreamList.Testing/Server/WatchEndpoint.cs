using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace StreamList.Testing.Server;

/// <summary>
/// Serves <c>GET /api/v1/pods?watch=true</c> and <c>GET /api/v1/namespaces/{ns}/pods?watch=true</c>:
/// a long-lived 200 response streaming watch events in protobuf frames or JSON lines.
/// </summary>
/// <remarks>
/// Contract, in the order a stream runs (docs/wire.md):
/// <list type="number">
/// <item>Validation (<see cref="WatchQuery"/>): 400/422 Status. A WatchList at a resourceVersion
/// newer than the population's waits up to <see cref="FakeApiServer.FreshnessWait"/> (server clock)
/// for it, then gets 200 and one ERROR event (504 Timeout, cause ResourceVersionTooLarge), as the
/// watch cache answers; a plain watch at a newer resourceVersion opens and delivers the changes
/// after it once they happen (the apiserver does not block a watch on freshness).</item>
/// <item>Subscription (<see cref="WatchHistory.Subscribe"/>), before the headers: a start version
/// older than the history's floor, or the <see cref="FaultPlan.ExpiredWatches"/> fault, gets 200
/// and one ERROR event (Status 410 Expired) and the stream ends.</item>
/// <item>Initial state (RV "" or "0", or WatchList): a synthetic ADDED for every selected pod of
/// the snapshot taken at subscription, then for WatchList (<see cref="WatchListMode.Supported"/>)
/// a BOOKMARK at the snapshot's version annotated <c>k8s.io/initial-events-end: "true"</c>.</item>
/// <item>Replay: retained changes after the start version.</item>
/// <item>Live: batches drained from the <see cref="Watcher"/> buffer, a bookmark at the watcher's
/// progress every <see cref="FakeApiServerOptions.BookmarkInterval"/> when
/// <c>allowWatchBookmarks=true</c> and the progress is above the start version, a flush after each batch.</item>
/// </list>
/// The stream ends normally at <c>timeoutSeconds</c> (server clock; what was queued by then still
/// goes out), when the dispatcher closes a
/// slow watcher (what is still queued is dropped, as the apiserver drops it), or after
/// <see cref="FaultPlan.WatchCloseAfterEvents"/>; it is aborted after
/// <see cref="FaultPlan.WatchResetsAfterEvents"/>. No lock is held while writing to the network,
/// so many watches on one HTTP/2 connection progress independently. Selectors apply to each
/// event's object as it is (unlike the apiserver, a pod whose labels stop matching gets no DELETED).
/// </remarks>
internal sealed class WatchEndpoint(FakeApiServer server, WatchDispatcher dispatcher)
{
    // Lets the transport send what was flushed before an injected abort cuts the connection.
    private static readonly TimeSpan s_drainBeforeAbort = TimeSpan.FromMilliseconds(50);

    private long _watchers;

    public async Task HandleAsync(HttpContext context, string? pathNamespace, BodyEncoding encoding, long requestNumber, CancellationToken cancellationToken)
    {
        var options = server.Options;
        if (!WatchQuery.TryParse(context.Request.Query, pathNamespace, options.WatchListMode, !options.IgnoreShardSelector, out var query, out var invalid))
        {
            await StatusResponses.WriteAsync(context, invalid!, encoding, cancellationToken).ConfigureAwait(false);
            return;
        }
        server.Count(query!.Kind);
        var population = server.Population;
        V1Status? notFresh = null;
        if (query.Kind == RequestKind.WatchList && query.ResourceVersionNumber is { } requested && requested > population.ResourceVersion
            && !await population.WaitForAsync(requested, FakeApiServer.FreshnessWait, options.TimeProvider, cancellationToken).ConfigureAwait(false))
        {
            // As the watch cache: the 504 comes as the stream's one ERROR event, not as the response status.
            notFresh = StatusResponses.ResourceVersionTooLarge(requested, population.ResourceVersion);
        }
        long current = population.ResourceVersion;

        if (notFresh is not null)
        {
            await WriteOnlyErrorAsync(context, encoding, notFresh, requestNumber, cancellationToken).ConfigureAwait(false);
            return;
        }
        bool expiredFault = server.TakeFault(static p => p.ExpiredWatches > 0, static p => p with { ExpiredWatches = p.ExpiredWatches - 1 }, out _);
        var watcher = new Watcher(Interlocked.Increment(ref _watchers), query.Filter, options.WatcherBufferEvents,
            context.Request.Protocol, context.Connection.Id);
        // Timers first: a test that sees the watch registered may move a fake clock at once.
        var time = options.TimeProvider;
        using var timeout = query.TimeoutSeconds is { } seconds
            ? time.CreateTimer(static w => ((Watcher)w!).TimeOut(), watcher, TimeSpan.FromSeconds(seconds), Timeout.InfiniteTimeSpan)
            : null;
        using var bookmarks = query.AllowBookmarks && options.BookmarkInterval > TimeSpan.Zero
            ? time.CreateTimer(static w => ((Watcher)w!).BookmarkDue(), watcher, options.BookmarkInterval, options.BookmarkInterval)
            : null;
        var history = dispatcher.History;
        var subscription = expiredFault
            ? new WatchHistory.Subscription(false, history.Floor, null, [])
            : history.Subscribe(watcher, query.From, () => population.Current);
        var ending = subscription.Accepted ? TakeEndingFault() : null; // only a watch that streams takes one
        try
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = WatchEventWriter.ContentType(encoding);
            response.Headers.CacheControl = "no-cache, private";
            await response.StartAsync(cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

            await using var body = new ChunkedBody(response.Body, gzip: false, options, requestNumber, cancellationToken);
            var writer = new WatchEventWriter(body, encoding);
            if (!subscription.Accepted)
            {
                writer.WriteError(WatchStatuses.TooOld(query.From ?? current, subscription.Floor));
                await writer.FlushAsync().ConfigureAwait(false);
                return;
            }

            var stream = new WatchStream(watcher, writer, query, ending, history);
            bool reset = await stream.RunAsync(subscription, options, cancellationToken).ConfigureAwait(false);
            if (reset)
            {
                await Task.Delay(s_drainBeforeAbort, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                context.Abort();
                return;
            }
            await body.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            history.Unsubscribe(watcher);
            watcher.Close(slow: false);
        }
    }

    /// <summary>A 200 watch response whose only event is an ERROR carrying <paramref name="status"/>.</summary>
    private async Task WriteOnlyErrorAsync(HttpContext context, BodyEncoding encoding, V1Status status, long requestNumber, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = WatchEventWriter.ContentType(encoding);
        response.Headers.CacheControl = "no-cache, private";
        await using var body = new ChunkedBody(response.Body, gzip: false, server.Options, requestNumber, cancellationToken);
        var writer = new WatchEventWriter(body, encoding);
        writer.WriteError(status);
        await writer.FlushAsync().ConfigureAwait(false);
        await body.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>The reset or close fault this watch takes, if any: (events before it, true for a reset).</summary>
    private (int AfterEvents, bool Reset)? TakeEndingFault()
    {
        if (server.TakeFault(static p => p.WatchResets > 0, static p => p with { WatchResets = p.WatchResets - 1 }, out var plan))
            return (Math.Max(0, plan.WatchResetsAfterEvents), true);
        if (server.TakeFault(static p => p.WatchCloses > 0, static p => p with { WatchCloses = p.WatchCloses - 1 }, out plan))
            return (Math.Max(0, plan.WatchCloseAfterEvents), false);
        return null;
    }

    /// <summary>One watch response from its first event to its end.</summary>
    private sealed class WatchStream(Watcher watcher, WatchEventWriter writer, WatchQuery query, (int AfterEvents, bool Reset)? ending, WatchHistory history)
    {
        /// <summary>Writes the stream; true when it must end with an abort (the reset fault).</summary>
        public async Task<bool> RunAsync(WatchHistory.Subscription subscription, FakeApiServerOptions options, CancellationToken cancellationToken)
        {
            if (EndsNow()) // e.g. timed out before the first write: an empty stream that ends normally
                return await EndAsync().ConfigureAwait(false);

            if (query.InitialState && subscription.Snapshot is { } snapshot)
            {
                for (int i = 0; i < snapshot.SlotCount; i++)
                {
                    if ((i & 1023) == 0)
                        cancellationToken.ThrowIfCancellationRequested();
                    if (!ListPlanner.Selects(snapshot, query.Filter, i, out var pod))
                        continue;
                    await writer.WriteAsync("ADDED", pod ?? snapshot.Get(i)!).ConfigureAwait(false);
                    if (EndsNow())
                        return await EndAsync().ConfigureAwait(false);
                }
                if (query.InitialEventsEndBookmark)
                    writer.WriteBookmark(snapshot.ResourceVersion, initialEventsEnd: true);
                await writer.FlushAsync().ConfigureAwait(false);
            }

            foreach (var record in subscription.Replay)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!watcher.Selects(record.Change.Pod))
                    continue;
                await writer.WriteAsync(record).ConfigureAwait(false);
                if (EndsNow())
                    return await EndAsync().ConfigureAwait(false);
            }
            await writer.FlushAsync().ConfigureAwait(false);

            // A bookmark that fell due during the initial state or replay goes out at the first drain.
            var batch = new List<WatchRecord>(Math.Min(options.WatcherBufferEvents, 1024));
            while (true)
            {
                await watcher.WaitAsync(cancellationToken).ConfigureAwait(false);
                var drained = watcher.Drain(batch);
                if (drained.Closed)
                {
                    if (watcher.Expired)
                    {
                        writer.WriteError(WatchStatuses.TooOld(drained.Progress, history.Floor));
                        await writer.FlushAsync().ConfigureAwait(false);
                    }
                    return false; // closing dropped what was queued
                }
                foreach (var record in batch)
                {
                    await writer.WriteAsync(record).ConfigureAwait(false);
                    if (EndsNow())
                        return await EndAsync().ConfigureAwait(false);
                }
                batch.Clear();
                if (drained.TimedOut)
                    return await EndAsync().ConfigureAwait(false); // what was queued before the timeout went out
                // As the cacher's watchers: a bookmark only above the start version (so none while a watch waits for a future one).
                if (drained.BookmarkDue && query.AllowBookmarks && drained.Progress > watcher.StartedAfter)
                    writer.WriteBookmark(drained.Progress, initialEventsEnd: false);
                await writer.FlushAsync().ConfigureAwait(false);
            }
        }

        /// <summary>True when the stream must stop: closed as slow, timed out, or the ending fault's event count reached.</summary>
        private bool EndsNow() =>
            watcher.IsClosed || watcher.TimedOut || (ending is { } e && writer.Events >= e.AfterEvents);

        private async Task<bool> EndAsync()
        {
            await writer.FlushAsync().ConfigureAwait(false);
            return ending is { } e && e.Reset && writer.Events >= e.AfterEvents;
        }
    }
}
