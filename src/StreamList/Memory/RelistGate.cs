namespace StreamList.Memory;

/// <summary>
/// Lets at most <c>concurrency</c> relists run at a time among the informers that share it, so N
/// informers that lose their watches together in a 410 storm build their new state one after
/// another instead of N at once. Scope: a <see cref="Informers.SharedInformerFactory"/> gives its
/// informers one gate; a lone informer has its own; <see cref="Shared"/> is the process-wide one
/// for those who ask for it. Waiting here is not failing: a reflector starts no timeout before it
/// holds a slot.
/// </summary>
public sealed class RelistGate
{
    private readonly SemaphoreSlim _semaphore;
    private int _inFlight;
    private int _waiting;
    private int _maxInFlight;
    private long _entered;

    /// <summary>Creates a gate admitting <paramref name="concurrency"/> relists at once.</summary>
    public RelistGate(int concurrency = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _semaphore = new SemaphoreSlim(concurrency, concurrency);
    }

    /// <summary>The process-wide gate (one relist at a time), for informers and factories configured to use it.</summary>
    public static RelistGate Shared { get; } = new();

    /// <summary>Relists running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Relists waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Most relists ever seen running at once (for tests and metrics).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Relists admitted so far.</summary>
    public long Entered => Interlocked.Read(ref _entered);

    /// <summary>Waits for a slot; dispose the result to leave.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        int now = Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _entered);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }
        return new Slot(this);
    }

    private void Leave()
    {
        Interlocked.Decrement(ref _inFlight);
        _semaphore.Release();
    }

    private sealed class Slot(RelistGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                gate.Leave();
        }
    }
}
