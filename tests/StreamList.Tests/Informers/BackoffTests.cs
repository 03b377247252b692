using Microsoft.Extensions.Time.Testing;
using StreamList.Informers;

namespace StreamList.Tests.Informers;

public class BackoffTests
{
    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    [Fact]
    public void Follows_client_go_sequence_without_jitter()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(time, new FixedRandom(0));
        double[] expected = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30, 30];
        foreach (double s in expected)
        {
            Assert.Equal(TimeSpan.FromSeconds(s), backoff.Next());
            time.Advance(TimeSpan.FromSeconds(s)); // each wait passes before the next failure
        }
    }

    [Fact]
    public void Jitter_adds_up_to_100_percent()
    {
        var time = new FakeTimeProvider();
        Assert.Equal(TimeSpan.FromSeconds(1.6), new Backoff(time, new FixedRandom(1.0)).Next());
        var wait = new Backoff(time, new FixedRandom(0.25)).Next();
        Assert.Equal(TimeSpan.FromSeconds(1.0), wait);
    }

    [Fact]
    public void Resets_after_two_minutes_without_failure()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(time, new FixedRandom(0));
        backoff.Next();
        backoff.Next();
        Assert.Equal(TimeSpan.FromSeconds(3.2), backoff.Next());
        time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromTicks(1));
        Assert.Equal(TimeSpan.FromSeconds(0.8), backoff.Next());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromSeconds(1.6), backoff.Next());
    }
}
