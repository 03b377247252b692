using System.Buffers;
using System.Globalization;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using StreamList.Wire;

namespace StreamList.Testing.Server;

/// <summary>
/// Serves <c>GET /api/v1/pods</c> and <c>GET /api/v1/namespaces/{ns}/pods</c>: validates the query,
/// applies injected faults, picks the snapshot the resourceVersion rules ask for, plans the page
/// (first pass), then streams it (second pass) in the negotiated encoding.
/// </summary>
/// <remarks>
/// resourceVersion rules, as the apiserver's (<see cref="RequestKind"/> says where each is served):
/// "" is the current state; "0" is the current state with <c>limit</c> ignored (the watch cache);
/// a numeric N newer than the current version is waited for up to <see cref="FakeApiServer.FreshnessWait"/>
/// (server clock), then gets 504 Timeout with cause ResourceVersionTooLarge; N with
/// <c>resourceVersionMatch=Exact</c>, or with a <c>limit</c> and no match, is an exact read: the newest
/// retained snapshot at or below N, 410 Expired once compacted; any other N (NotOlderThan) is the
/// current state. A continue token resumes its own snapshot, or
/// gets 410 Expired (with a fresh token at the current version) once that snapshot is compacted.
/// remainingItemCount is sent for unfiltered cluster-wide pages only (the apiserver also omits it
/// with selectors; here also for namespaced lists).
/// </remarks>
internal sealed class ListEndpoint(FakeApiServer server)
{
    // Lets the transport send what was flushed before an injected abort cuts the connection.
    private static readonly TimeSpan s_drainBeforeAbort = TimeSpan.FromMilliseconds(50);

    public async Task HandleAsync(HttpContext context, string? pathNamespace, BodyEncoding encoding, long requestNumber, CancellationToken cancellationToken)
    {
        if (!ListQuery.TryParse(context.Request.Query, pathNamespace, !server.Options.IgnoreShardSelector, out var query, out string error))
        {
            await StatusResponses.WriteAsync(context, StatusResponses.BadRequest(error), encoding, cancellationToken).ConfigureAwait(false);
            return;
        }
        server.Count(query!.Kind);
        if (server.TakeFault(static p => p.InternalErrors > 0, static p => p with { InternalErrors = p.InternalErrors - 1 }, out _))
        {
            await StatusResponses.WriteAsync(context, StatusResponses.InternalError("injected fault"), encoding, cancellationToken).ConfigureAwait(false);
            return;
        }

        var population = server.Population;
        var (snapshot, start, failure) = await ResolveAsync(population, query!, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            await StatusResponses.WriteAsync(context, failure, encoding, cancellationToken).ConfigureAwait(false);
            return;
        }

        long limit = query!.AnyVersion ? 0 : query.Limit;
        var page = ListPlanner.Plan(snapshot!, query.Filter, start, limit, measure: encoding == BodyEncoding.Protobuf, new ArrayBufferWriter<byte>(), cancellationToken);
        var metadata = new V1ListMeta
        {
            ResourceVersion = snapshot!.ResourceVersion.ToString(CultureInfo.InvariantCulture),
            ShardInfo = query.Filter.ShardInfo,
        };
        if (page.Next is { } next)
        {
            metadata.ContinueProperty = new ContinueToken(snapshot.ResourceVersion, next).Encode();
            if (query.Filter.SelectsAll)
                metadata.RemainingItemCount = snapshot.CountFrom(next);
        }

        var response = context.Response;
        bool gzip = server.Options.AllowGzip && ContentNegotiation.AcceptsGzip(context.Request.Headers.AcceptEncoding);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentNegotiation.MediaType(encoding);
        response.Headers.CacheControl = "no-cache, private";
        if (gzip)
            response.Headers.ContentEncoding = "gzip";

        if (server.TakeFault(static p => p.ResetsAtBodyStart > 0, static p => p with { ResetsAtBodyStart = p.ResetsAtBodyStart - 1 }, out _))
        {
            await response.StartAsync(cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            await AbortAsync(context, cancellationToken).ConfigureAwait(false);
            return;
        }
        int? truncateAfter = server.TakeFault(static p => p.TruncatedBodies > 0, static p => p with { TruncatedBodies = p.TruncatedBodies - 1 }, out var plan)
            ? Math.Max(0, plan.TruncateAfterItems)
            : null;

        await using var body = new ChunkedBody(response.Body, gzip, server.Options, requestNumber, cancellationToken);
        bool complete = encoding == BodyEncoding.Protobuf
            ? await ProtobufListWriter.WriteAsync(body, snapshot, query.Filter, page, metadata, truncateAfter, cancellationToken).ConfigureAwait(false)
            : await JsonListWriter.WriteAsync(body, snapshot, query.Filter, page, metadata, truncateAfter, cancellationToken).ConfigureAwait(false);
        if (!complete)
            await AbortAsync(context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The snapshot and first slot to serve, or the Status that refuses the request.</summary>
    private async Task<(PodPopulationSnapshot? Snapshot, int Start, V1Status? Failure)> ResolveAsync(PodPopulation population, ListQuery query, CancellationToken cancellationToken)
    {
        var current = population.Current;
        if (query.Continue is { } token)
        {
            string? Fresh(FaultPlan plan) => plan.FreshContinueOnExpired ? new ContinueToken(current.ResourceVersion, token.Start).Encode() : null;
            if (server.TakeFault(static p => p.ExpiredContinues > 0, static p => p with { ExpiredContinues = p.ExpiredContinues - 1 }, out var plan))
                return (null, 0, StatusResponses.ExpiredContinue(Fresh(plan)));
            if (!population.TryGetSnapshot(token.ResourceVersion, out var resumed))
                return (null, 0, StatusResponses.ExpiredContinue(Fresh(server.Faults)));
            return (resumed, token.Start, null);
        }

        if (server.TakeFault(static p => p.ExpiredLists > 0, static p => p with { ExpiredLists = p.ExpiredLists - 1 }, out _))
            return (null, 0, StatusResponses.TooOldResourceVersion(query.ResourceVersionNumber ?? current.ResourceVersion, current.ResourceVersion));
        if (query.ResourceVersionNumber is not { } requested || query.AnyVersion)
            return (current, 0, null);
        // A version the server has not reached is waited for, briefly (the watch cache's freshness wait, 1.34+).
        if (requested > current.ResourceVersion
            && !await population.WaitForAsync(requested, FakeApiServer.FreshnessWait, server.Options.TimeProvider, cancellationToken).ConfigureAwait(false))
            return (null, 0, StatusResponses.ResourceVersionTooLarge(requested, population.ResourceVersion));
        current = population.Current;
        if (current.ResourceVersion < requested) // went back meanwhile (an etcd restore)
            return (null, 0, StatusResponses.ResourceVersionTooLarge(requested, current.ResourceVersion));
        if (query.Kind != RequestKind.ExactList || requested >= current.ResourceVersion)
            return (current, 0, null);
        // Exact: the state at N, from the newest retained snapshot at or below it (changes of one batch share a snapshot).
        return population.TryGetSnapshotAtOrBelow(requested, out var exact)
            ? (exact, 0, null)
            : (null, 0, StatusResponses.TooOldResourceVersion(requested, current.ResourceVersion));
    }

    private static async Task AbortAsync(HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(s_drainBeforeAbort, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            context.Abort();
        }
    }
}
