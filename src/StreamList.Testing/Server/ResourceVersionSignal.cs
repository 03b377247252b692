namespace StreamList.Testing.Server;

/// <summary>
/// Lets callers wait until a collection's resourceVersion reaches a value (a list or watch at a future
/// version waits for it, as the apiserver does). Contract: the owner calls <see cref="Moved"/> under
/// <c>gate</c> after every change; <see cref="WaitForAsync"/> reads the version under the same lock, so a
/// change between the read and the wait cannot be missed. Waiters resume asynchronously, never under the lock.
/// </summary>
internal sealed class ResourceVersionSignal(Lock gate, Func<long> currentResourceVersion)
{
    private TaskCompletionSource _moved = New();

    /// <summary>Wakes the waiters; the caller holds the gate.</summary>
    public void Moved()
    {
        var moved = _moved;
        _moved = New();
        moved.TrySetResult();
    }

    /// <summary>True once the resourceVersion is at least <paramref name="resourceVersion"/>; false after <paramref name="timeout"/> on <paramref name="time"/>'s clock.</summary>
    public async Task<bool> WaitForAsync(long resourceVersion, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        long started = time.GetTimestamp();
        while (true)
        {
            Task moved;
            lock (gate)
            {
                if (currentResourceVersion() >= resourceVersion)
                    return true;
                moved = _moved.Task;
            }
            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
                return false;
            try
            {
                await moved.WaitAsync(left, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                lock (gate)
                    return currentResourceVersion() >= resourceVersion;
            }
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
