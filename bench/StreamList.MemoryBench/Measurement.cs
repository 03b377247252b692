using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamList.MemoryBench;

/// <summary>One client run's figures: the JSON line docs/measuring.md asks for.</summary>
internal sealed record Measurement
{
    public required string Mode { get; init; }
    public required int Pods { get; init; }
    public long Items { get; init; }
    public double Seconds { get; init; }
    public double PeakRssMiB { get; init; }
    public double HeapMiB { get; init; }
    public double AllocatedMiB { get; init; }
    public double BytesPerPod { get; init; }
    /// <summary>Time the GC paused the process and CPU the process used, both up to the end of the list (or sync).</summary>
    public double GcPauseSeconds { get; init; }
    public double CpuSeconds { get; init; }
    /// <summary>For relist modes: RSS and heap before the relist (steady state), and the relist's own peak.</summary>
    public double? SteadyRssMiB { get; init; }
    public double? SteadyHeapMiB { get; init; }
    public double? RelistPeakRssMiB { get; init; }
    public double? RelistSeconds { get; init; }
    public string? KeysSha256 { get; init; }
    /// <summary>For informer modes: median microseconds per <c>Store.Get</c> by key.</summary>
    public double? ReadMicroseconds { get; init; }
    /// <summary>For informer modes: median microseconds per <c>Store.GetMetadata</c> by key.</summary>
    public double? MetadataReadMicroseconds { get; init; }
    public bool Ok { get; init; } = true;
    public string? Error { get; init; }
    public string Gc { get; init; } = GcSettings.Describe();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>The GC configuration a figure was taken with.</summary>
internal static class GcSettings
{
    public static string Describe()
    {
        var info = GC.GetGCMemoryInfo();
        string hard = Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") is { } h ? $", GCHeapHardLimit=0x{h}" : "";
        return $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {(System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}{hard}, limit {info.TotalAvailableMemoryBytes / 1048576} MiB";
    }
}
