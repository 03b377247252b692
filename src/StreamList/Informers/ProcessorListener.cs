using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using StreamList.Diagnostics;

namespace StreamList.Informers;

// One handler's delivery (client-go's processorListener). Contract:
// - Its own unbounded FIFO (a Channel with one reader) and its own loop task, so one handler's
//   slowness never delays another and enqueueing never waits.
// - One call at a time, in queue order: the loop awaits each call before reading the next.
// - A call that throws is logged and counted (Failed), and the loop goes on with the next one.
// - Detached (removed or processor stopped): no further call starts; the rest of the queue is
//   dropped; the token passed to handlers is cancelled.
// - Synced (HasSynced) once the processor has synced and every notification queued before that
//   moment (for a late handler: its initial adds) has been processed, successfully or not.
// Enqueue, MarkUpstreamSynced and Detach are called under the processor's syncRoot; the loop,
// counters and sync state are safe from any thread.

/// <summary>What a notification asks of the handler.</summary>
internal enum NotificationKind : byte { Add, Update, Delete }

/// <summary>
/// One queued call to a handler: <see cref="Obj"/> is the added, new or deleted object;
/// <see cref="Old"/> the previous state of an update; <see cref="Flag"/> isInInitialList for an
/// add, finalStateUnknown for a delete. A snapshotted add or resync, or a change stored from wire
/// bytes, carries store payloads (<see cref="Payload"/>, <see cref="OldPayload"/>) instead of
/// objects, read on the handler's loop (a resync is an update whose old and new are one object).
/// </summary>
internal readonly record struct HandlerNotification<T>(NotificationKind Kind, T? Obj, T? Old, bool Flag, object? Payload = null, object? OldPayload = null)
    where T : class
{
    public static HandlerNotification<T> Add(T obj, bool isInInitialList) => new(NotificationKind.Add, obj, null, isInInitialList);

    public static HandlerNotification<T> AddPayload(object payload, bool isInInitialList) => new(NotificationKind.Add, null, null, isInInitialList, payload);

    public static HandlerNotification<T> Update(T oldObj, T newObj) => new(NotificationKind.Update, newObj, oldObj, false);

    public static HandlerNotification<T> UpdatePayloads(object? oldPayload, object payload) => new(NotificationKind.Update, null, null, false, payload, oldPayload);

    public static HandlerNotification<T> ResyncPayload(object payload) => new(NotificationKind.Update, null, null, false, payload);

    public static HandlerNotification<T> Delete(T obj, bool finalStateUnknown) => new(NotificationKind.Delete, obj, null, finalStateUnknown);
}

/// <summary>
/// The part of a listener that does not depend on the object type: counters, sync tracking and
/// removal, which is what a <see cref="HandlerRegistration"/> exposes.
/// </summary>
internal abstract class ProcessorListener
{
    /// <summary>The listener whose loop is running the current code, to spot a handler removing itself.</summary>
    private static readonly AsyncLocal<ProcessorListener?> s_current = new();

    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _delivered;
    private long _failed;
    private long _processed;
    private long _syncTarget = -1;

    protected ProcessorListener(int id, string handlerType)
    {
        Id = id;
        HandlerType = handlerType;
        Registration = new HandlerRegistration(this);
    }

    /// <summary>Number of this listener within its processor, for logs.</summary>
    public int Id { get; }

    /// <summary>The handler's type name, for logs.</summary>
    public string HandlerType { get; }

    /// <summary>The public face of this listener.</summary>
    public HandlerRegistration Registration { get; }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    public bool HasSynced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>Completes when synced; cancelled if the listener is detached first.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Number of notifications queued so far; written only under the processor's syncRoot.</summary>
    protected long Enqueued { get; set; }

    /// <summary>True while the current code runs inside this listener's own delivery loop.</summary>
    protected bool IsCurrent => ReferenceEquals(s_current.Value, this);

    public abstract ValueTask RemoveAsync();

    /// <summary>
    /// The processor has synced (called under syncRoot, once): this listener is synced once it has
    /// processed everything queued so far.
    /// </summary>
    public void MarkUpstreamSynced()
    {
        long target = Enqueued;
        // Both sides publish with a full fence and then read the other's value, so at least one of
        // this and OnProcessed sees both conditions met.
        Interlocked.Exchange(ref _syncTarget, target);
        if (Interlocked.Read(ref _processed) >= target)
            _synced.TrySetResult();
    }

    protected void MarkCurrent() => s_current.Value = this;

    protected void OnDelivered() => Interlocked.Increment(ref _delivered);

    protected void OnFailed() => Interlocked.Increment(ref _failed);

    /// <summary>One notification was processed (delivered or failed).</summary>
    protected void OnProcessed()
    {
        long processed = Interlocked.Increment(ref _processed);
        long target = Interlocked.Read(ref _syncTarget);
        if (target >= 0 && processed >= target)
            _synced.TrySetResult();
    }

    /// <summary>Detached before syncing: whoever waits for sync learns it never will.</summary>
    protected void AbandonSync() => _synced.TrySetCanceled();
}

/// <summary>One handler's queue and delivery loop.</summary>
internal sealed class ProcessorListener<T> : ProcessorListener
    where T : class
{
    private readonly HandlerProcessor<T> _owner;
    private readonly IResourceEventHandler<T> _handler;
    private readonly ILogger _logger;
    private readonly Channel<HandlerNotification<T>> _queue = Channel.CreateUnbounded<HandlerNotification<T>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly CancellationTokenSource _cts = new();
    private volatile bool _detached;
    private ITimer? _resyncTimer;
    private Task _loop = Task.CompletedTask;

    public ProcessorListener(HandlerProcessor<T> owner, IResourceEventHandler<T> handler, int id, ILogger logger, TimeSpan? resyncPeriod)
        : base(id, handler.GetType().Name)
    {
        _owner = owner;
        _handler = handler;
        _logger = logger;
        ResyncPeriod = resyncPeriod;
    }

    /// <summary>How often this handler is re-sent every object, or null for never.</summary>
    public TimeSpan? ResyncPeriod { get; }

    /// <summary>Removed or stopped; set under syncRoot.</summary>
    public bool IsDetached => _detached;

    /// <summary>Queues a notification; never waits. Under syncRoot.</summary>
    public void Enqueue(in HandlerNotification<T> notification)
    {
        if (!_detached && _queue.Writer.TryWrite(notification))
            Enqueued++;
    }

    /// <summary>Starts the delivery loop on the thread pool and the resync timer, if any. Under syncRoot.</summary>
    public void Start(TimeProvider time)
    {
        _loop = Task.Run(RunAsync);
        if (ResyncPeriod is { } period)
            _resyncTimer = time.CreateTimer(static state => ((ProcessorListener<T>)state!).OnResyncTimer(), this, period, period);
    }

    /// <summary>
    /// First half of removal, under syncRoot: no more enqueues, no more resyncs, no further call
    /// starts. Returns false if already detached. The caller then calls <see cref="Release"/> outside the lock.
    /// </summary>
    public bool Detach()
    {
        if (_detached)
            return false;
        _detached = true;
        _queue.Writer.TryComplete();
        _resyncTimer?.Dispose();
        return true;
    }

    /// <summary>
    /// Second half of removal, outside the lock (cancellation callbacks the handler registered run
    /// here): cancels the handler's token and gives up on sync. Returns the loop to await, or a
    /// completed task when called from this listener's own handler (awaiting it would deadlock).
    /// </summary>
    public Task Release()
    {
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException ex)
        {
            HandlerLog.CancellationCallbackFailed(_logger, ex, Id, HandlerType);
        }
        AbandonSync();
        HandlerLog.HandlerRemoved(_logger, Id, HandlerType, Delivered, Failed);
        return IsCurrent ? Task.CompletedTask : _loop;
    }

    public override ValueTask RemoveAsync() => _owner.RemoveAsync(this);

    private void OnResyncTimer() => _owner.Resync(this);

    private async Task RunAsync()
    {
        MarkCurrent();
        var reader = _queue.Reader;
        CancellationToken cancellationToken = _cts.Token;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (reader.TryRead(out var notification))
            {
                if (_detached)
                    return; // removed or stopped: what is still queued is dropped
                await DeliverAsync(notification, cancellationToken).ConfigureAwait(false);
                OnProcessed();
            }
        }
    }

    private async ValueTask DeliverAsync(HandlerNotification<T> n, CancellationToken cancellationToken)
    {
        T? obj = n.Obj;
        try
        {
            obj ??= _owner.Read(n.Payload!);
            var old = n.Old ?? (n.OldPayload is { } oldPayload ? _owner.Read(oldPayload) : obj);
            switch (n.Kind)
            {
                case NotificationKind.Add:
                    await _handler.OnAddAsync(obj, n.Flag, cancellationToken).ConfigureAwait(false);
                    break;
                case NotificationKind.Update:
                    await _handler.OnUpdateAsync(old, obj, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await _handler.OnDeleteAsync(obj, n.Flag, cancellationToken).ConfigureAwait(false);
                    break;
            }
            OnDelivered();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Removed or stopped while the handler ran: not a handler failure.
        }
#pragma warning disable CA1031 // A handler's exception must never stop delivery: log, count, go on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnFailed();
            HandlerLog.HandlerFailed(_logger, ex, Id, HandlerType, n.Kind.ToString(), obj is null ? "(not decoded)" : KeyOf(obj));
        }
    }

    private static string KeyOf(T obj) =>
        obj is IMetadata<V1ObjectMeta> { Metadata: { } metadata } ? ObjectKey.For(metadata) : typeof(T).Name;
}
