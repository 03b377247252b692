namespace StreamList.Informers;

/// <summary>
/// The reflector's resourceVersion rules (client-go, see docs/wire.md), each a tiny function.
/// </summary>
internal static class ResourceVersionRules
{
    /// <summary>
    /// RV for a list: "" (a consistent read) after a list failed with Expired or TooLarge; the
    /// initial RV ("0", the watch cache) before anything was synced; else the last seen RV.
    /// </summary>
    public static string ForList(string? lastSeen, bool lastSeenUnavailable, string initial) =>
        lastSeenUnavailable ? "" : string.IsNullOrEmpty(lastSeen) ? initial : lastSeen;

    /// <summary>A list failing with these makes the last seen RV unusable: retry at once with "".</summary>
    public static bool MakesLastSeenUnavailable(Exception e) => e is Http.ResourceExpiredException or Http.ResourceVersionTooLargeException;

    /// <summary>Server-side watch timeout uniform in [min, 2·min) seconds: client-go's [300, 600).</summary>
    public static int WatchTimeoutSeconds(TimeSpan min, Random random) => (int)(min.TotalSeconds * (1.0 + random.NextDouble()));

    /// <summary>The annotation on the bookmark that ends a WatchList's initial events.</summary>
    public const string InitialEventsEnd = "k8s.io/initial-events-end";

    /// <summary>A WatchList refused with one of these (4xx) is unsupported by the server: fall back to list+watch.</summary>
    public static bool MeansWatchListUnsupported(Exception e) => e is Http.KubernetesStatusException { Code: >= 400 and < 500 } s && s.Code != 410 && s.Code != 429;
}
