using System.Diagnostics;

namespace StreamList.Testing.Server;

/// <summary>
/// The apiserver's time budget for blocked watchers (docs/wire.md, "Slow watchers are cut off";
/// the watch cache's <c>timeBudget</c>): at most <see cref="Max"/> (100 ms) of waiting is available,
/// refilled at <see cref="RefillPerSecond"/> (50 ms per second). A dispatch that finds watchers
/// with full buffers takes everything available, waits on them from that one allowance, and
/// returns what it did not use. The clock is real time (Stopwatch): the budget bounds how long a
/// real thread writing to the population blocks, whatever the server's TimeProvider.
/// </summary>
internal sealed class SlowWatcherBudget
{
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan RefillPerSecond = TimeSpan.FromMilliseconds(50);

    private readonly Lock _lock = new();
    private TimeSpan _available = Max;
    private long _refilled = Stopwatch.GetTimestamp();

    /// <summary>Takes all of the budget available now.</summary>
    public TimeSpan TakeAvailable()
    {
        lock (_lock)
        {
            Refill();
            var taken = _available;
            _available = TimeSpan.Zero;
            return taken;
        }
    }

    /// <summary>Gives back what a dispatch did not spend.</summary>
    public void ReturnUnused(TimeSpan unused)
    {
        if (unused <= TimeSpan.Zero)
            return;
        lock (_lock)
        {
            Refill();
            _available = Min(Max, _available + unused);
        }
    }

    private void Refill()
    {
        long now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_refilled, now);
        _refilled = now;
        _available = Min(Max, _available + RefillPerSecond * elapsed.TotalSeconds);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
