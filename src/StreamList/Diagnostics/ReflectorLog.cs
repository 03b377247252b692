using Microsoft.Extensions.Logging;

namespace StreamList.Diagnostics;

/// <summary>The reflector's log messages (source-generated).</summary>
internal static partial class ReflectorLog
{
    [LoggerMessage(1, LogLevel.Information, "{Resource}: listing at resourceVersion \"{ResourceVersion}\"")]
    public static partial void Listing(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(2, LogLevel.Information, "{Resource}: synced {Items} items ({Unchanged} unchanged, {Deleted} deleted) at resourceVersion {ResourceVersion} in {Seconds:0.00} s")]
    public static partial void Listed(ILogger logger, string resource, long items, long unchanged, int deleted, string? resourceVersion, double seconds);

    [LoggerMessage(3, LogLevel.Warning, "{Resource}: list failed: {Error}")]
    public static partial void ListFailed(ILogger logger, string resource, string error, Exception exception);

    [LoggerMessage(4, LogLevel.Debug, "{Resource}: watching from resourceVersion {ResourceVersion} for {TimeoutSeconds} s")]
    public static partial void Watching(ILogger logger, string resource, string resourceVersion, int timeoutSeconds);

    [LoggerMessage(5, LogLevel.Debug, "{Resource}: watch closed normally after {Events} events; re-watching from {ResourceVersion}")]
    public static partial void WatchClosed(ILogger logger, string resource, long events, string resourceVersion);

    [LoggerMessage(6, LogLevel.Information, "{Resource}: watch expired (410) at resourceVersion {ResourceVersion}; relisting")]
    public static partial void WatchExpired(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(7, LogLevel.Warning, "{Resource}: watch failed: {Error}")]
    public static partial void WatchFailed(ILogger logger, string resource, string error, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "{Resource}: backing off {Seconds:0.00} s before {Next}")]
    public static partial void BackingOff(ILogger logger, string resource, double seconds, string next);

    [LoggerMessage(9, LogLevel.Information, "{Resource}: WatchList unavailable ({Reason}); falling back to list and watch")]
    public static partial void WatchListFallback(ILogger logger, string resource, string reason);

    [LoggerMessage(10, LogLevel.Debug, "{Resource}: waiting for the relist gate ({InFlight} in flight)")]
    public static partial void WaitingForGate(ILogger logger, string resource, int inFlight);

    [LoggerMessage(11, LogLevel.Warning, "{Resource}: resourceVersion {ResourceVersion} is newer than the server's (too large resource version, e.g. after an etcd restore); relisting with a consistent read")]
    public static partial void ResourceVersionTooLarge(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(12, LogLevel.Warning, "{Resource}: skipped {Key}: {Reason} {Error}")]
    public static partial void ObjectSkipped(ILogger logger, string resource, string key, string reason, string error, Exception? exception);

    [LoggerMessage(13, LogLevel.Warning, "{Resource}: the transform threw on deleted {Key}; handlers get it as received: {Error}")]
    public static partial void DeleteNotTransformed(ILogger logger, string resource, string key, string error, Exception exception);

    [LoggerMessage(20, LogLevel.Warning, "{Resource}: the server did not echo shardSelector \"{Selector}\" (KEP-5866 sharding unavailable: an older server or the ShardedListAndWatch gate off); filtering items and events here ({Filtered} so far)")]
    public static partial void ShardSelectorIgnored(ILogger logger, string resource, string selector, long filtered);
}
