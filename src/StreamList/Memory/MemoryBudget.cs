namespace StreamList.Memory;

/// <summary>
/// The process memory budget, through the GC's own limit: <see cref="Apply"/> sets the managed heap
/// hard limit at run time (the <c>GCHeapHardLimit</c> setting, applied with
/// <see cref="GC.RefreshMemoryLimit"/>), and <see cref="Read"/> reports where the heap stands
/// against it from <see cref="GC.GetGCMemoryInfo()"/>.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Sets the managed heap hard limit to <paramref name="bytes"/> for the rest of the process.</summary>
    /// <exception cref="InvalidOperationException">The runtime refused the limit (e.g. below what is already committed).</exception>
    public static void Apply(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 16L << 20);
        AppContext.SetData("GCHeapHardLimit", (ulong)bytes);
        GC.RefreshMemoryLimit();
    }

    /// <summary>The heap's size and limit now.</summary>
    public static MemoryReading Read()
    {
        var info = GC.GetGCMemoryInfo();
        return new MemoryReading(GC.GetTotalMemory(false), info.HeapSizeBytes, info.TotalAvailableMemoryBytes, info.MemoryLoadBytes, info.HighMemoryLoadThresholdBytes);
    }
}

/// <summary>A reading of the managed heap against its limit.</summary>
/// <param name="AllocatedBytes">Bytes currently allocated on the managed heap.</param>
/// <param name="HeapSizeBytes">Heap size after the last GC.</param>
/// <param name="LimitBytes">Memory available to the GC: the hard limit when one is set.</param>
/// <param name="MemoryLoadBytes">Memory load at the last GC.</param>
/// <param name="HighLoadThresholdBytes">Load above which the GC becomes aggressive.</param>
public readonly record struct MemoryReading(long AllocatedBytes, long HeapSizeBytes, long LimitBytes, long MemoryLoadBytes, long HighLoadThresholdBytes);
