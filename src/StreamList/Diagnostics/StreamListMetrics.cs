using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamList.Diagnostics;

/// <summary>
/// StreamList's instruments, on the meter <c>StreamList</c> (listen with dotnet-counters,
/// OpenTelemetry or a <see cref="MeterListener"/>). Every measurement is tagged with the resource.
/// The instruments are static and hold no informer: the store gauge reads the informers that are
/// running now (each registers on start and leaves on stop), so a stopped informer is collectable.
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
    internal static readonly Counter<long> ShardFiltered = s_meter.CreateCounter<long>("streamlist.shard.filtered", description: "Items and events outside the shard selector that the server sent anyway (it ignores shardSelector), dropped by the informer");
    internal static readonly Counter<long> ObjectsSkipped = s_meter.CreateCounter<long>("streamlist.objects.skipped", description: "Listed items and watch events that could not be stored and were skipped");

    private static readonly ConcurrentDictionary<long, (string Resource, Func<int> Count)> s_stores = new();
    private static long s_lastStore;
    private static int s_relistsInFlight;

    static StreamListMetrics()
    {
        s_meter.CreateObservableGauge("streamlist.gc.heap_bytes", () => GC.GetGCMemoryInfo().HeapSizeBytes, unit: "By", description: "Managed heap size after the last GC");
        s_meter.CreateObservableGauge("streamlist.gc.limit_bytes", () => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, unit: "By", description: "Memory available to the GC (the hard limit when set)");
        s_meter.CreateObservableGauge("streamlist.relist.in_flight", () => Volatile.Read(ref s_relistsInFlight), description: "Relists holding a relist gate, over every gate");
        s_meter.CreateObservableGauge("streamlist.store.objects", ObserveStores, description: "Objects in each running informer's cache");
    }

    internal static TagList Tags(string resource) => new() { { "resource", resource } };

    /// <summary>Adds a running informer's store to the store gauge; dispose the result when it stops.</summary>
    internal static IDisposable TrackStore(string resource, Func<int> count)
    {
        long id = Interlocked.Increment(ref s_lastStore);
        s_stores[id] = (resource, count);
        return new Untrack(id);
    }

    /// <summary>Counts a relist holding <paramref name="slot"/> until the result is disposed (which also leaves the gate).</summary>
    internal static IDisposable RelistInFlight(IDisposable slot)
    {
        Interlocked.Increment(ref s_relistsInFlight);
        return new InFlight(slot);
    }

    private static IEnumerable<Measurement<int>> ObserveStores()
    {
        foreach (var (resource, count) in s_stores.Values)
            yield return new Measurement<int>(count(), Tags(resource));
    }

    private sealed class Untrack(long id) : IDisposable
    {
        public void Dispose() => s_stores.TryRemove(id, out _);
    }

    private sealed class InFlight(IDisposable slot) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            Interlocked.Decrement(ref s_relistsInFlight);
            slot.Dispose();
        }
    }
}
