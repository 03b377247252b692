using Microsoft.Extensions.Time.Testing;

namespace StreamList.Tests.Support;

/// <summary>Drives a <see cref="FakeTimeProvider"/> forward until a condition holds (with a real-time hang guard).</summary>
public static class FakeTime
{
    public static async Task AdvanceUntil(this FakeTimeProvider time, Func<bool> condition, TimeSpan step, TimeSpan? maxFakeTime = null)
    {
        var limit = time.GetUtcNow() + (maxFakeTime ?? TimeSpan.FromHours(1));
        var guard = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (time.GetUtcNow() > limit || DateTime.UtcNow > guard)
                throw new TimeoutException("condition not reached");
            await Task.Delay(2);
            if (!condition())
                time.Advance(step);
        }
    }

    /// <summary>Waits in real time (no fake-time movement) until a condition holds.</summary>
    public static async Task Until(Func<bool> condition, int timeoutMs = 20_000)
    {
        var guard = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > guard)
                throw new TimeoutException("condition not reached");
            await Task.Delay(2);
        }
    }
}
