using System.Runtime;
using StreamList.MemoryBench;

namespace StreamList.Tests.Bench;

/// <summary>
/// STREAMLIST_BENCH_GC, the GC choice a MemoryBench client applies around its sync: unset changes nothing; a
/// value it does not know is a usage error naming it, before anything changes. (Only GcChoice reads the variable.)
/// </summary>
public class GcChoiceTests
{
    private const string Variable = "STREAMLIST_BENCH_GC";

    [Theory]
    [InlineData("Bogus")]
    [InlineData("Batch")]
    [InlineData("NoGCRegion:")]
    [InlineData("NoGCRegion:lots")]
    [InlineData("NoGCRegion:0")]
    [InlineData("NoGCRegion:-5")]
    public void An_unknown_choice_is_a_usage_error_naming_it(string value)
    {
        var before = GCSettings.LatencyMode;
        Environment.SetEnvironmentVariable(Variable, value);
        try
        {
            var e = Assert.Throws<UsageException>(() => GcChoice.Enter());
            Assert.Equal($"STREAMLIST_BENCH_GC must be SustainedLowLatency, LowLatency or NoGCRegion:MiB, not '{value}'", e.Message);
            Assert.Equal(before, GCSettings.LatencyMode);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Fact]
    public void Unset_changes_nothing()
    {
        var before = GCSettings.LatencyMode;
        using (GcChoice.Enter())
            Assert.Equal(before, GCSettings.LatencyMode);
        Assert.Equal(before, GCSettings.LatencyMode);
    }
}
