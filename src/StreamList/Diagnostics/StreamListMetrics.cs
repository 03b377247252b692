using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamList.Diagnostics;

/// <summary>
/// StreamList's instruments, on the meter <c>StreamList</c> (listen with dotnet-counters,
/// OpenTelemetry or a <see cref="MeterListener"/>). Every measurement is tagged with the resource.
/// </summary>
public static class StreamListMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "StreamList";

    private static readonly Meter s_meter = new(MeterName);

    internal static readonly Counter<long> Relists = s_meter.CreateCounter<long>("streamlist.relists", description: "Lists started by informers (initial and relists)");
    internal static readonly Counter<long> RelistFailures = s_meter.CreateCounter<long>("streamlist.relist.failures", description: "Lists that failed before completing");
    internal static readonly Histogram<double> RelistDuration = s_meter.CreateHistogram<double>("streamlist.relist.duration", unit: "s", description: "Time from list start to store synced");
    internal static readonly Counter<long> ListItems = s_meter.CreateCounter<long>("streamlist.list.items", description: "Items received by lists");
    internal static readonly Counter<long> ListItemsSkipped = s_meter.CreateCounter<long>("streamlist.list.items_unchanged", description: "Relist items recognised as unchanged and not decoded");
    internal static readonly Counter<long> WatchStarts = s_meter.CreateCounter<long>("streamlist.watch.starts", description: "Watches opened");
    internal static readonly Counter<long> WatchEvents = s_meter.CreateCounter<long>("streamlist.watch.events", description: "Watch events applied");
    internal static readonly Counter<long> WatchExpired = s_meter.CreateCounter<long>("streamlist.watch.expired", description: "Watches ended by 410 Expired");
    internal static readonly Counter<long> Backoffs = s_meter.CreateCounter<long>("streamlist.backoffs", description: "Waits before retrying a failed list or watch");

    static StreamListMetrics()
    {
        s_meter.CreateObservableGauge("streamlist.gc.heap_bytes", () => GC.GetGCMemoryInfo().HeapSizeBytes, unit: "By", description: "Managed heap size after the last GC");
        s_meter.CreateObservableGauge("streamlist.gc.limit_bytes", () => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, unit: "By", description: "Memory available to the GC (the hard limit when set)");
        s_meter.CreateObservableGauge("streamlist.relist.in_flight", () => Memory.RelistGate.Shared.InFlight, description: "Relists holding the shared gate");
    }

    internal static TagList Tags(string resource) => new() { { "resource", resource } };

    /// <summary>Registers an observable gauge for an informer's store size.</summary>
    internal static ObservableGauge<int> StoreObjects(string resource, Func<int> count) =>
        s_meter.CreateObservableGauge("streamlist.store.objects", () => new Measurement<int>(count(), Tags(resource)), description: "Objects in an informer's cache");
}
