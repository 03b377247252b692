using Microsoft.Extensions.Logging;

namespace StreamList.Diagnostics;

/// <summary>
/// Log messages of the informer's handler delivery (<c>Informers/HandlerProcessor</c>): a handler
/// registered or removed, a handler that threw (the notification is skipped, delivery goes on), a
/// periodic resync that could not take its snapshot. Source-generated, so a disabled level costs a check.
/// </summary>
internal static partial class HandlerLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug,
        Message = "Handler {HandlerId} ({HandlerType}) registered with {InitialCount} initial objects, resync {ResyncPeriod}")]
    public static partial void HandlerAdded(ILogger logger, int handlerId, string handlerType, int initialCount, TimeSpan? resyncPeriod);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug,
        Message = "Handler {HandlerId} ({HandlerType}) removed after {Delivered} delivered and {Failed} failed notifications")]
    public static partial void HandlerRemoved(ILogger logger, int handlerId, string handlerType, long delivered, long failed);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error,
        Message = "Handler {HandlerId} ({HandlerType}) threw from {Notification} of {ObjectKey}; the notification is skipped and delivery continues")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, int handlerId, string handlerType, string notification, string objectKey);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error,
        Message = "Resync of handler {HandlerId} ({HandlerType}) failed to snapshot the store; it will try again at the next period")]
    public static partial void ResyncFailed(ILogger logger, Exception exception, int handlerId, string handlerType);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Trace,
        Message = "Resync of handler {HandlerId} ({HandlerType}) queued {Count} objects")]
    public static partial void ResyncQueued(ILogger logger, int handlerId, string handlerType, int count);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning,
        Message = "Handler {HandlerId} ({HandlerType}) registered a cancellation callback that threw while its delivery was stopped")]
    public static partial void CancellationCallbackFailed(ILogger logger, Exception exception, int handlerId, string handlerType);
}
