namespace StreamList.Informers;

/// <summary>
/// The reflector's resourceVersion and error rules, each a tiny function following client-go's
/// reflector.go (see docs/reflector-and-client-go.md for the line each one follows).
/// </summary>
internal static class ResourceVersionRules
{
    /// <summary>client-go's pager page size, used where client-go pages.</summary>
    public const int DefaultPageSize = 500;

    /// <summary>
    /// RV for a list (client-go <c>relistResourceVersion</c>): "" (a consistent read) after the last
    /// seen RV became unavailable (Expired or TooLarge); the initial RV ("0", the watch cache) before
    /// anything was synced; else the last seen RV.
    /// </summary>
    public static string ForList(string? lastSeen, bool lastSeenUnavailable, string initial) =>
        lastSeenUnavailable ? "" : string.IsNullOrEmpty(lastSeen) ? initial : lastSeen;

    /// <summary>RV a WatchList starts from (client-go <c>rewatchResourceVersion</c>): "" when the last seen one is unavailable.</summary>
    public static string ForWatchList(string? lastSeen, bool lastSeenUnavailable) =>
        lastSeenUnavailable ? "" : lastSeen ?? "";

    /// <summary>
    /// Page size of a list at <paramref name="rv"/> (client-go <c>Reflector.list</c>): an explicit size
    /// always (0: never page); else 500 when an earlier "0" list came back paginated (the server has no
    /// watch cache) or for "" and "0"; else none, because a list at a numeric RV other than "0" is
    /// served from the watch cache only without a limit, and with one goes to etcd.
    /// </summary>
    public static int? PageSize(int? explicitSize, bool paginatedResult, string rv) =>
        explicitSize is { } size ? (size > 0 ? size : null)
        : paginatedResult || rv.Length == 0 || rv == "0" ? DefaultPageSize
        : null;

    /// <summary>
    /// A list failing with these makes the last seen RV unusable (client-go
    /// <c>isExpiredError || isTooLargeResourceVersionError</c>): retry at once with "".
    /// </summary>
    public static bool MakesLastSeenUnavailable(Exception e) => e is Http.ResourceExpiredException || IsTooLargeResourceVersion(e);

    /// <summary>
    /// client-go's <c>isTooLargeResourceVersionError</c>: the cause ResourceVersionTooLarge, or, for
    /// servers older than 1.18.6 that did not set it, a 504 Timeout whose cause or message says
    /// "Too large resource version" (the one place a message is matched, as client-go does).
    /// </summary>
    public static bool IsTooLargeResourceVersion(Exception e)
    {
        if (e is Http.ResourceVersionTooLargeException)
            return true;
        if (e is not Http.KubernetesStatusException { Code: 504 } s || s.Reason != "Timeout")
            return false;
        const string Text = "Too large resource version";
        return s.Status.Details?.Causes?.Any(c => c.Message == Text) == true
            || s.Status.Message?.Contains(Text, StringComparison.Ordinal) == true;
    }

    /// <summary>429 Too Many Requests: client-go only backs off and retries the same request.</summary>
    public static bool IsTooManyRequests(Exception e) => e is Http.KubernetesStatusException { Code: 429 };

    /// <summary>Server-side watch timeout uniform in [min, 2·min) seconds: client-go's [300, 600).</summary>
    public static int WatchTimeoutSeconds(TimeSpan min, Random random) => (int)(min.TotalSeconds * (1.0 + random.NextDouble()));

    /// <summary>
    /// A watch from "" or "0" first sends every object as a synthetic ADDED event in key order,
    /// carrying the object's own RV: such events must not advance the last seen RV, which moves from
    /// the first MODIFIED, DELETED or BOOKMARK on (client-go <c>propagateRVFromStart=false</c>); a
    /// WatchList's RV is its end bookmark's.
    /// </summary>
    public static bool StartsWithSyntheticAdds(string? watchRv) => string.IsNullOrEmpty(watchRv) || watchRv == "0";

    /// <summary>The annotation on the bookmark that ends a WatchList's initial events.</summary>
    public const string InitialEventsEnd = "k8s.io/initial-events-end";
}
