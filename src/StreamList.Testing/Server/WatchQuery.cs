using System.Globalization;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace StreamList.Testing.Server;

/// <summary>
/// A WATCH request's parameters, validated as the apiserver validates them and resolved into what
/// the stream starts with. Pure: no I/O, no population.
/// </summary>
/// <remarks>
/// Rules (docs/wire.md): <c>resourceVersion</c> "" or "0" starts with synthetic ADDED events for
/// the current state (<see cref="InitialState"/>); N resumes after N (<see cref="From"/>).
/// <c>sendInitialEvents=true</c> needs <c>resourceVersionMatch=NotOlderThan</c> and
/// <c>allowWatchBookmarks=true</c> (else 422) and always starts with the current state, ending it
/// with the initial-events-end bookmark; <c>sendInitialEvents=false</c> never sends the state;
/// <c>resourceVersionMatch</c> without <c>sendInitialEvents</c> is 422. Under
/// <see cref="WatchListMode.Ignored"/> both parameters are ignored; under
/// <see cref="WatchListMode.Rejected"/> <c>sendInitialEvents</c> is 422. A resourceVersion that is
/// not a number is 400.
/// </remarks>
internal sealed record WatchQuery(
    long? ResourceVersionNumber,
    bool InitialState,
    bool InitialEventsEndBookmark,
    bool AllowBookmarks,
    int? TimeoutSeconds,
    PodFilter Filter)
{
    /// <summary>Where a watch without initial state resumes (exclusive); null when it starts with the current state or at the newest version.</summary>
    public long? From => InitialState ? null : ResourceVersionNumber;

    /// <summary>A WatchList when the server honours <c>sendInitialEvents=true</c>, else a plain watch.</summary>
    public RequestKind Kind => InitialEventsEndBookmark ? RequestKind.WatchList : RequestKind.Watch;

    public static bool TryParse(IQueryCollection query, string? pathNamespace, WatchListMode mode, bool shards, out WatchQuery? result, out V1Status? failure)
    {
        result = null;
        failure = null;
        string rv = query["resourceVersion"].ToString();
        string match = query["resourceVersionMatch"].ToString();
        string sendText = query["sendInitialEvents"].ToString();
        bool bookmarks = IsTrue(query["allowWatchBookmarks"].ToString());

        long? number = null;
        if (rv.Length > 0)
        {
            if (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                return Fail(StatusResponses.BadRequest($"invalid resource version \"{rv}\""), out failure);
            number = n;
        }

        int? timeout = null;
        string timeoutText = query["timeoutSeconds"].ToString();
        if (timeoutText.Length > 0)
        {
            if (!int.TryParse(timeoutText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int t))
                return Fail(StatusResponses.BadRequest($"timeoutSeconds: invalid value \"{timeoutText}\""), out failure);
            timeout = t > 0 ? t : null;
        }

        bool? send = null;
        if (sendText.Length > 0)
        {
            if (!bool.TryParse(sendText, out bool s))
                return Fail(StatusResponses.BadRequest($"sendInitialEvents: invalid value \"{sendText}\""), out failure);
            send = s;
        }

        if (mode == WatchListMode.Ignored)
        {
            send = null;
            match = "";
        }
        else if (mode == WatchListMode.Rejected && send is not null)
        {
            return Fail(WatchStatuses.Invalid("sendInitialEvents", "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"), out failure);
        }

        if (send is not null)
        {
            if (match != ListQuery.NotOlderThan)
                return Fail(WatchStatuses.Invalid("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"), out failure);
            if (send.Value && !bookmarks)
                return Fail(WatchStatuses.Invalid("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true"), out failure);
        }
        else if (match.Length > 0)
        {
            return Fail(WatchStatuses.Invalid("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"), out failure);
        }

        if (!PodFilter.TryParse(query, pathNamespace, shards, out var filter, out string error))
            return Fail(StatusResponses.BadRequest(error), out failure);

        bool initial = send ?? rv is "" or "0";
        // sendInitialEvents=false from "" or "0": start at the newest version without the state.
        long? resume = send == false && rv is "" or "0" ? null : number;
        result = new WatchQuery(initial ? number : resume, initial, send == true, bookmarks, timeout, filter);
        return true;
    }

    private static bool IsTrue(string value) => value is "true" or "1" or "True";

    private static bool Fail(V1Status status, out V1Status? failure)
    {
        failure = status;
        return false;
    }
}
