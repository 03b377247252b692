using Microsoft.Extensions.Logging;
using StreamList.Diagnostics;

namespace StreamList.Informers;

// Delivers an informer's changes to its handlers (client-go's sharedProcessor). Contract:
// - Each handler has its own listener (ProcessorListener): an unbounded ordered queue and a loop
//   task. Distribute only enqueues, so the reflector's thread never waits on a handler; one
//   handler's slowness or exceptions never reach another.
// - A new handler first receives every current object as an add with isInInitialList, then every
//   later change. Adds distributed before MarkSynced are part of the initial list too.
// - Ordering. Every enqueue (Distribute, the initial adds of AddHandler, a resync) happens under
//   the informer's syncRoot, the same lock the informer holds while it applies a change to the
//   store and distributes it. So each queue receives notifications in the order the store changed,
//   and a resync, which snapshots the store and enqueues under that lock, sends every object's
//   state as of a point between two changes: a later change is queued after the resync, an
//   earlier one before it, and a resync can never put a stale state behind a newer change.
// - Nothing is decoded under the lock. The initial adds and a resync snapshot the store's
//   payloads (the objects, or a compact store's immutable byte arrays: each is one object's state
//   at that instant, as client-go's resync takes each key's current object) and enqueue them;
//   the handler's own loop decodes each one just before the call.
// - The lock is only ever held for enqueueing (never across a handler call), and the processor
//   takes it itself (re-entrantly if the caller already holds it), so it is safe whoever calls.
// - HasSynced per registration: MarkSynced, then every notification queued for that handler up to
//   that moment processed (for a handler added after sync: its initial adds).

/// <summary>Delivers store changes to every registered <see cref="IResourceEventHandler{T}"/>, each through its own ordered queue.</summary>
internal sealed class HandlerProcessor<T>
    where T : class
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<IReadOnlyList<object>> _snapshot;
    private readonly Func<object, T> _read;
    private readonly object _syncRoot;
    private ProcessorListener<T>[] _listeners = []; // replaced, never mutated, under _syncRoot
    private bool _synced;
    private Task? _stopped;
    private int _lastId;

    /// <param name="time">The clock resync timers run on.</param>
    /// <param name="logger">Where handler failures and registrations are logged.</param>
    /// <param name="snapshot">The store's current payloads, for a resync; called under <paramref name="syncRoot"/>, so it must not decode.</param>
    /// <param name="syncRoot">
    /// The informer's lock, held while it applies a change to the store and distributes it; the
    /// processor takes it to enqueue (never while a handler runs).
    /// </param>
    /// <param name="read">Turns a payload into the object a handler gets (default: the payload is the object); called on the handlers' loops.</param>
    public HandlerProcessor(TimeProvider time, ILogger logger, Func<IReadOnlyList<object>> snapshot, object syncRoot, Func<object, T>? read = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(syncRoot);
        _time = time;
        _logger = logger;
        _snapshot = snapshot;
        _syncRoot = syncRoot;
        _read = read ?? (static payload => (T)payload);
    }

    /// <summary>The object a snapshotted payload holds; on a handler's loop, outside the lock.</summary>
    internal T Read(object payload) => payload is SharedDecode<T> shared ? shared.Get(_read) : _read(payload);

    /// <summary>Number of registered handlers.</summary>
    public int HandlerCount => Volatile.Read(ref _listeners).Length;

    /// <summary>Whether <see cref="MarkSynced"/> has been called.</summary>
    public bool IsSynced
    {
        get
        {
            lock (_syncRoot)
                return _synced;
        }
    }

    /// <summary>
    /// Registers a handler: it receives every object of <paramref name="currentContents"/> (payloads, decoded on its loop) as an add
    /// with isInInitialList, then every change distributed after this call. The caller takes the
    /// snapshot and calls this under syncRoot, so no change falls between them.
    /// </summary>
    /// <param name="handler">The handler.</param>
    /// <param name="currentContents">The store's contents now.</param>
    /// <param name="resyncPeriod">How often to re-send every object as an update (old == new); null, zero or infinite for never.</param>
    /// <exception cref="ObjectDisposedException">The processor was stopped.</exception>
    public HandlerRegistration AddHandler(IResourceEventHandler<T> handler, IReadOnlyList<object> currentContents, TimeSpan? resyncPeriod)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(currentContents);
        if (resyncPeriod is { } p && p < TimeSpan.Zero && p != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(resyncPeriod), p, "A resync period cannot be negative.");
        if (resyncPeriod is { } q && (q == TimeSpan.Zero || q == Timeout.InfiniteTimeSpan))
            resyncPeriod = null;

        lock (_syncRoot)
        {
            ObjectDisposedException.ThrowIf(_stopped is not null, this);
            var listener = new ProcessorListener<T>(this, handler, ++_lastId, _logger, resyncPeriod);
            for (int i = 0; i < currentContents.Count; i++)
                listener.Enqueue(HandlerNotification<T>.AddPayload(currentContents[i], isInInitialList: true));
            if (_synced)
                listener.MarkUpstreamSynced();
            _listeners = [.. _listeners, listener];
            listener.Start(_time);
            HandlerLog.HandlerAdded(_logger, listener.Id, listener.HandlerType, currentContents.Count, resyncPeriod);
            return listener.Registration;
        }
    }

    /// <summary>
    /// Queues one applied store change for every handler; never waits for a handler. Added is an
    /// add (isInInitialList until <see cref="MarkSynced"/>), Updated an update from
    /// <c>Old ?? New</c> to <c>New</c>, Deleted a delete of <c>Old</c>. A change that carries payloads
    /// instead of objects is decoded on the handlers' loops, once for all of them.
    /// </summary>
    public void Distribute(StoreDelta<T> delta)
    {
        lock (_syncRoot)
        {
            var listeners = _listeners;
            if (listeners.Length == 0)
                return;
            var notification = delta.NewPayload is { } payload
                ? FromPayloads(delta, payload, listeners.Length)
                : delta.Type switch
                {
                    DeltaType.Added => HandlerNotification<T>.Add(Require(delta.New, delta), isInInitialList: !_synced),
                    DeltaType.Updated => HandlerNotification<T>.Update(delta.Old ?? Require(delta.New, delta), Require(delta.New, delta)),
                    DeltaType.Deleted => HandlerNotification<T>.Delete(Require(delta.Old ?? delta.New, delta), delta.FinalStateUnknown),
                    _ => throw new ArgumentOutOfRangeException(nameof(delta), delta.Type, "Unknown delta type."),
                };
            foreach (var listener in listeners)
                listener.Enqueue(notification);
        }
    }

    /// <summary>
    /// The informer has synced (its initial list is in the store and distributed). Later adds are
    /// no longer part of the initial list; each registration becomes synced once its handler has
    /// processed what was queued for it so far. Calls after the first do nothing.
    /// </summary>
    public void MarkSynced()
    {
        lock (_syncRoot)
        {
            if (_synced)
                return;
            _synced = true;
            foreach (var listener in _listeners)
                listener.MarkUpstreamSynced();
        }
    }

    /// <summary>
    /// Stops delivery: cancels the token passed to handlers, completes every queue (what was not yet
    /// delivered is dropped) and waits for the loops; a handler that ignores its token is waited for.
    /// Later registrations are refused; later changes are ignored. Safe to call more than once.
    /// </summary>
    public Task StopAsync()
    {
        ProcessorListener<T>[] listeners;
        TaskCompletionSource done;
        lock (_syncRoot)
        {
            if (_stopped is not null)
                return _stopped;
            listeners = _listeners;
            _listeners = [];
            foreach (var listener in listeners)
                listener.Detach();
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _stopped = done.Task;
        }
        // Outside the lock: cancelling runs the callbacks handlers registered on their token.
        _ = ReleaseAllAsync(listeners, done);
        return done.Task;

        static async Task ReleaseAllAsync(ProcessorListener<T>[] listeners, TaskCompletionSource done)
        {
            try
            {
                var loops = new Task[listeners.Length];
                for (int i = 0; i < listeners.Length; i++)
                    loops[i] = listeners[i].Release();
                await Task.WhenAll(loops).ConfigureAwait(false);
                done.TrySetResult();
            }
#pragma warning disable CA1031 // The loops catch handler exceptions; anything else belongs to whoever awaits the stop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.TrySetException(ex);
            }
        }
    }

    /// <summary>Unregisters one listener and waits for its loop (unless called from its own handler).</summary>
    internal async ValueTask RemoveAsync(ProcessorListener<T> listener)
    {
        lock (_syncRoot)
        {
            if (!listener.Detach())
                return;
            _listeners = Array.FindAll(_listeners, l => !ReferenceEquals(l, listener));
        }
        await listener.Release().ConfigureAwait(false);
    }

    /// <summary>
    /// A listener's resync timer fired: under syncRoot, snapshot the store and queue every object as
    /// an update to itself, so the resync sits between two real changes in the queue. Skipped
    /// before the informer has synced (the store is still partial) and after removal.
    /// </summary>
    internal void Resync(ProcessorListener<T> listener)
    {
        lock (_syncRoot)
        {
            if (listener.IsDetached || !_synced)
                return;
            IReadOnlyList<object> objects;
            try
            {
                objects = _snapshot();
            }
#pragma warning disable CA1031 // A timer callback must not throw; the next period tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                HandlerLog.ResyncFailed(_logger, ex, listener.Id, listener.HandlerType);
                return;
            }
            for (int i = 0; i < objects.Count; i++)
                listener.Enqueue(HandlerNotification<T>.ResyncPayload(objects[i]));
            HandlerLog.ResyncQueued(_logger, listener.Id, listener.HandlerType, objects.Count);
        }
    }

    // A change stored from wire bytes: each payload decoded once, on the first handler loop that reads it.
    private HandlerNotification<T> FromPayloads(StoreDelta<T> delta, object payload, int handlers)
    {
        object Share(object p) => handlers == 1 ? p : new SharedDecode<T>(p);
        return delta.Type switch
        {
            DeltaType.Added => HandlerNotification<T>.AddPayload(Share(payload), isInInitialList: !_synced),
            DeltaType.Updated => HandlerNotification<T>.UpdatePayloads(delta.OldPayload is { } old ? Share(old) : null, Share(payload)),
            _ => throw new ArgumentException($"A {delta.Type} delta for '{delta.Key}' cannot carry payloads.", nameof(delta)),
        };
    }

    private static T Require(T? obj, StoreDelta<T> delta) =>
        obj ?? throw new ArgumentException($"A {delta.Type} delta for '{delta.Key}' carries no object.", nameof(delta));
}
