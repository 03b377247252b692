using Microsoft.Extensions.Logging;

namespace StreamList.Diagnostics;

/// <summary>The shard group's log messages (source-generated).</summary>
internal static partial class ShardGroupLog
{
    [LoggerMessage(1, LogLevel.Information, "shard group {Group}: {Identity} is member {Index} of {Count} ({Members}); selector {Selector}")]
    public static partial void Membership(ILogger logger, string group, string identity, int index, int count, string members, string selector);

    [LoggerMessage(2, LogLevel.Warning, "shard group {Group}: renewing the Lease of {Identity} failed: {Error}")]
    public static partial void RenewFailed(ILogger logger, string group, string identity, string error, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "shard group {Group}: the Lease of {Identity} changed under us (409); read again")]
    public static partial void Conflict(ILogger logger, string group, string identity);

    [LoggerMessage(4, LogLevel.Information, "shard group {Group}: {Identity} left (Lease deleted)")]
    public static partial void Left(ILogger logger, string group, string identity);

    [LoggerMessage(5, LogLevel.Warning, "shard group {Group}: deleting the Lease of {Identity} failed: {Error}")]
    public static partial void LeaveFailed(ILogger logger, string group, string identity, string error, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "shard group {Group}: a SelectorChanged subscriber of {Identity} threw: {Error}")]
    public static partial void SubscriberFailed(ILogger logger, string group, string identity, string error, Exception exception);
}
