namespace StreamList.Informers;

/// <summary>
/// client-go's reflector backoff (<c>NewExponentialBackoffManager(800ms, 30s, 2m, 2.0, 1.0)</c>):
/// each failure waits the current step plus up to 100% jitter, the step doubles up to the cap,
/// and a failure more than <see cref="ResetAfter"/> after the previous one starts over.
/// All time through <see cref="TimeProvider"/>; jitter from an injectable <see cref="Random"/>.
/// </summary>
public sealed class Backoff
{
    private readonly TimeProvider _time;
    private readonly Random _random;
    private TimeSpan _step;
    private DateTimeOffset? _lastStart;

    /// <summary>Creates a backoff with client-go's reflector settings unless given others.</summary>
    public Backoff(TimeProvider? time = null, Random? random = null)
    {
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared;
        _step = Initial;
    }

    /// <summary>First wait before jitter: 800 ms.</summary>
    public TimeSpan Initial { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Growth per failure: ×2.</summary>
    public double Factor { get; init; } = 2.0;

    /// <summary>Largest wait before jitter: 30 s.</summary>
    public TimeSpan Cap { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Jitter: each wait is step × (1 + Jitter × random[0,1)).</summary>
    public double Jitter { get; init; } = 1.0;

    /// <summary>A failure this long after the previous backoff started resets the step to <see cref="Initial"/>.</summary>
    public TimeSpan ResetAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The wait before the next attempt (advances the sequence).</summary>
    public TimeSpan Next()
    {
        var now = _time.GetUtcNow();
        if (_lastStart is null || now - _lastStart.Value > ResetAfter)
            _step = Initial;
        _lastStart = now;
        var wait = _step;
        var grown = TimeSpan.FromTicks((long)(_step.Ticks * Factor));
        _step = grown > Cap ? Cap : grown;
        return Jitter > 0 ? wait + TimeSpan.FromTicks((long)(wait.Ticks * Jitter * _random.NextDouble())) : wait;
    }

    /// <summary>Waits <see cref="Next"/> on the time provider.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(Next(), _time, cancellationToken);
}
