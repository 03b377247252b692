using System.Globalization;
using System.Runtime;

namespace StreamList.MemoryBench;

/// <summary>
/// A GC choice an application makes in its own code around a list or an informer's sync, read from
/// <c>STREAMLIST_BENCH_GC</c> so <c>run --modes informer-objects@STREAMLIST_BENCH_GC=LowLatency</c> measures it
/// beside the default: <c>SustainedLowLatency</c> or <c>LowLatency</c> (<see cref="GCSettings.LatencyMode"/>
/// for the duration), or <c>NoGCRegion:MiB</c> (<see cref="GC.TryStartNoGCRegion(long)"/> of that size; the
/// runtime ends it by itself once that much is allocated). Disposing restores the previous mode.
/// </summary>
internal sealed class GcChoice : IDisposable
{
    private readonly GCLatencyMode _previous = GCSettings.LatencyMode;

    private GcChoice()
    {
    }

    public static GcChoice Enter()
    {
        var choice = new GcChoice();
        string? value = Environment.GetEnvironmentVariable("STREAMLIST_BENCH_GC");
        if (string.IsNullOrEmpty(value))
            return choice;
        if (value.StartsWith("NoGCRegion:", StringComparison.Ordinal)
            && long.TryParse(value["NoGCRegion:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long mib) && mib > 0)
        {
            if (!GC.TryStartNoGCRegion(mib * 1048576))
                throw new InvalidOperationException($"TryStartNoGCRegion({mib} MiB) refused");
        }
        else if (value is nameof(GCLatencyMode.SustainedLowLatency) or nameof(GCLatencyMode.LowLatency))
        {
            GCSettings.LatencyMode = Enum.Parse<GCLatencyMode>(value);
        }
        else
        {
            throw new UsageException($"STREAMLIST_BENCH_GC must be SustainedLowLatency, LowLatency or NoGCRegion:MiB, not '{value}'");
        }
        return choice;
    }

    public void Dispose()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            GC.EndNoGCRegion();
        else if (GCSettings.LatencyMode != _previous)
            GCSettings.LatencyMode = _previous;
    }
}
