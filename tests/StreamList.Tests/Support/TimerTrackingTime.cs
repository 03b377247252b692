using Microsoft.Extensions.Time.Testing;

namespace StreamList.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which one-shot timers are armed, so a test can move time
/// exactly to the next deadline once the code under test has armed it, instead of stepping time while the
/// code may not yet have asked for a delay (which makes measured gaps depend on thread scheduling).
/// </summary>
public sealed class TimerTrackingTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly object _gate = new();
    private readonly HashSet<TrackedTimer> _armed = [];

    /// <summary>How many one-shot timers are armed and not yet fired or disposed.</summary>
    public int ArmedCount { get { lock (_gate) return _armed.Count; } }

    /// <summary>Moves time to the earliest armed deadline (fires it); throws when nothing is armed.</summary>
    public TimeSpan AdvanceToNextTimer()
    {
        DateTimeOffset due;
        lock (_gate)
        {
            if (_armed.Count == 0)
                throw new InvalidOperationException("no timer is armed");
            due = _armed.Min(t => t.DueAt);
        }
        var step = due - GetUtcNow();
        if (step > TimeSpan.Zero)
            Advance(step);
        return step;
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this, callback, state);
        tracked.Inner = base.CreateTimer(static s => ((TrackedTimer)s!).Fire(), tracked, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        tracked.Change(dueTime, period);
        return tracked;
    }

    private void Arm(TrackedTimer timer, bool armed)
    {
        lock (_gate)
        {
            if (armed)
                _armed.Add(timer);
            else
                _armed.Remove(timer);
        }
    }

    private sealed class TrackedTimer(TimerTrackingTime owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        public ITimer Inner { get; set; } = null!;
        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            // Periodic timers (resync) are not deadlines a test waits for; only one-shot delays are tracked.
            bool armed = dueTime != Timeout.InfiniteTimeSpan && period == Timeout.InfiniteTimeSpan;
            DueAt = owner.GetUtcNow() + (armed ? dueTime : TimeSpan.Zero);
            owner.Arm(this, armed);
            return Inner.Change(dueTime, period);
        }

        public void Fire()
        {
            if (_period == Timeout.InfiniteTimeSpan)
                owner.Arm(this, false);
            callback(state);
        }

        public void Dispose()
        {
            owner.Arm(this, false);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
