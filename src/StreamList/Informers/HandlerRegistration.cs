namespace StreamList.Informers;

/// <summary>
/// One handler's registration with an informer (client-go's ResourceEventHandlerRegistration):
/// whether this handler has caught up with the informer's initial sync, how many notifications it
/// has processed, and the way to unregister it. Disposing it unregisters the handler.
/// </summary>
public sealed class HandlerRegistration : IAsyncDisposable
{
    private readonly ProcessorListener _listener;

    internal HandlerRegistration(ProcessorListener listener) => _listener = listener;

    /// <summary>
    /// True once the informer has synced and this handler has processed (successfully or not) every
    /// notification queued for it up to then; for a handler added after the sync, once it has
    /// processed its initial adds. Stays true afterwards.
    /// </summary>
    public bool HasSynced => _listener.HasSynced;

    /// <summary>Notifications the handler processed without throwing.</summary>
    public long Delivered => _listener.Delivered;

    /// <summary>Notifications whose handler call threw (each logged and skipped).</summary>
    public long Failed => _listener.Failed;

    /// <summary>Completes when <see cref="HasSynced"/> becomes true.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled, or the handler was removed (or the
    /// informer stopped) before it synced.
    /// </exception>
    public Task WaitForSyncAsync(CancellationToken cancellationToken = default) =>
        _listener.Synced.WaitAsync(cancellationToken);

    /// <summary>
    /// Unregisters the handler: nothing further is queued for it, what is still queued is dropped,
    /// and the token passed to its current call is cancelled. Completes once no call is running
    /// (when called from the handler's own callback, it does not wait for that callback). Safe to
    /// call more than once.
    /// </summary>
    public ValueTask RemoveAsync() => _listener.RemoveAsync();

    /// <summary>Same as <see cref="RemoveAsync"/>.</summary>
    public ValueTask DisposeAsync() => RemoveAsync();
}
