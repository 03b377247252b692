using System.Diagnostics;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Testing.Measurement;
using StreamList.Watching;
using StreamList.Codec;

namespace StreamList.MemoryBench;

/// <summary>
/// One measurement per process. List modes hold every listed pod at the end, as a store would;
/// informer modes sync a cache; relist modes sync, take the steady state, then make the server
/// churn 1% and the watch expire, and measure the relist's own peak RSS (the peak is reset first).
/// </summary>
internal static class ClientModes
{
    public static readonly string[] All =
    [
        "streamlist-protobuf", "streamlist-protobuf-nointern", "streamlist-protobuf-discard", "streamlist-json",
        "kubernetesclient-json", "kubernetesclient-json-notimeout",
        "informer-objects", "informer-objects-owntransform", "informer-objects-dropmanagedfields", "informer-compact", "informer-compressed",
        "informer-compact-dropmanagedfields", "informer-compressed-dropmanagedfields", "relist-skip", "relist-noskip", "relist-compact", "relist-compressed",
    ];

    public static async Task<int> RunAsync(string mode, string server, int pods)
    {
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server });
        Measurement m = mode switch
        {
            "streamlist-protobuf" => await StreamListAsync(client, mode, pods, protobuf: true, intern: true),
            "streamlist-protobuf-nointern" => await StreamListAsync(client, mode, pods, protobuf: true, intern: false),
            "streamlist-protobuf-discard" => await StreamListAsync(client, mode, pods, Streaming(protobuf: true, intern: true),
                static (string?, string, string?) (V1Pod pod) => (pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Metadata.ResourceVersion),
                static keys => KeysSha256.Compute(keys)),
            "streamlist-json" => await StreamListAsync(client, mode, pods, protobuf: false, intern: true),
            "kubernetesclient-json" => await KubernetesClientAsync(server, mode, pods, timeout: null),
            "kubernetesclient-json-notimeout" => await KubernetesClientAsync(server, mode, pods, timeout: Timeout.InfiniteTimeSpan),
            "informer-objects" => await InformerAsync(client, mode, pods, StoreMode.Objects),
            // A transform of the user's own (one that changes nothing): the informer cannot know what it changes, so it shares no parts.
            "informer-objects-owntransform" => await InformerAsync(client, mode, pods, StoreMode.Objects, static pod => pod),
            "informer-objects-dropmanagedfields" => await InformerAsync(client, mode, pods, StoreMode.Objects, Transforms.DropManagedFields),
            "informer-compact" => await InformerAsync(client, mode, pods, StoreMode.Compact),
            "informer-compressed" => await InformerAsync(client, mode, pods, StoreMode.Compressed),
            "informer-compact-dropmanagedfields" => await InformerAsync(client, mode, pods, StoreMode.Compact, Transforms.DropManagedFields),
            "informer-compressed-dropmanagedfields" => await InformerAsync(client, mode, pods, StoreMode.Compressed, Transforms.DropManagedFields),
            "relist-skip" => await RelistAsync(client, server, mode, pods, StoreMode.Objects, skip: true),
            "relist-noskip" => await RelistAsync(client, server, mode, pods, StoreMode.Objects, skip: false),
            "relist-compact" => await RelistAsync(client, server, mode, pods, StoreMode.Compact, skip: true),
            "relist-compressed" => await RelistAsync(client, server, mode, pods, StoreMode.Compressed, skip: true),
            _ => throw new UsageException($"unknown mode '{mode}'; modes: {string.Join(", ", All)}"),
        };
        Console.WriteLine(m.ToJson());
        return m.Ok ? 0 : 1;
    }


    /// <summary>What <c>streamlist list</c> decodes with: objects share repeated parts (they are never changed), interned strings unless told.</summary>
    private static StreamingOptions Streaming(bool protobuf, bool intern) => new()
    {
        PreferProtobuf = protobuf,
        Decode = (intern ? DecodeOptions.Default : DecodeOptions.NoInterning) with { ShareParts = true },
    };

    /// <summary>
    /// Takes the figures; <paramref name="keys"/> runs only after the heap was measured, so what it
    /// allocates (a compact store decodes every object to list it) cannot count as retained.
    /// </summary>
    private static Measurement Finish(string mode, int pods, long items, Stopwatch clock, object held, Func<string?> keys, Exception? error = null)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        double gcPause = GC.GetTotalPauseDuration().TotalSeconds;
        double cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        double heap = ProcessMemory.RetainedHeapMiB();
        double peak = ProcessMemory.PeakRssMiB();
        double allocated = ProcessMemory.AllocatedMiB();
        var m = new Measurement
        {
            Mode = mode,
            Pods = pods,
            Items = items,
            Seconds = Math.Round(seconds, 2),
            PeakRssMiB = Math.Round(peak, 1),
            HeapMiB = Math.Round(heap, 1),
            AllocatedMiB = Math.Round(allocated, 1),
            GcPauseSeconds = Math.Round(gcPause, 2),
            CpuSeconds = Math.Round(cpu, 2),
            BytesPerPod = items == 0 ? 0 : Math.Round(heap * 1048576 / items),
            KeysSha256 = error is null ? keys() : null,
            Ok = error is null && items == pods,
            Error = error is null ? (items == pods ? null : $"listed {items} of {pods}") : $"{error.GetType().Name}: {error.Message}",
        };
        GC.KeepAlive(held);
        return m;
    }

    private static Task<Measurement> StreamListAsync(Kubernetes client, string mode, int pods, bool protobuf, bool intern) =>
        StreamListAsync(client, mode, pods, Streaming(protobuf, intern), static pod => pod, static held => KeysSha256.Compute(held));

    /// <summary>
    /// Streams the pod list, keeping what <paramref name="keep"/> takes of each pod: the pod itself
    /// (what a store holds), or for <c>streamlist-protobuf-discard</c> only its key, which gives the
    /// list time without the garbage collector's cost of retaining every pod.
    /// </summary>
    private static async Task<Measurement> StreamListAsync<TKept>(Kubernetes client, string mode, int pods, StreamingOptions options,
        Func<V1Pod, TKept> keep, Func<List<TKept>, string> keys)
    {
        var held = new List<TKept>(pods);
        var clock = Stopwatch.StartNew();
        try
        {
            using (GcChoice.Enter())
            {
                await foreach (var pod in client.ListStreamingAsync<V1Pod>(options: options))
                    held.Add(keep(pod));
            }
            clock.Stop();
            return Finish(mode, pods, held.Count, clock, held, () => keys(held));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            clock.Stop();
            return Finish(mode, pods, held.Count, clock, held, () => null, e);
        }
    }

    private static async Task<Measurement> KubernetesClientAsync(string server, string mode, int pods, TimeSpan? timeout)
    {
        var config = new KubernetesClientConfiguration { Host = server };
        if (timeout is { } t)
            config.HttpClientTimeout = t;
        using var client = new Kubernetes(config);
        var clock = Stopwatch.StartNew();
        try
        {
            var list = await client.CoreV1.ListPodForAllNamespacesAsync();
            clock.Stop();
            return Finish(mode, pods, list.Items.Count, clock, list, () => KeysSha256.Compute(list.Items));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            clock.Stop();
            return Finish(mode, pods, 0, clock, e, () => null, e);
        }
    }

    private static async Task<Measurement> InformerAsync(Kubernetes client, string mode, int pods, StoreMode store, Func<V1Pod, V1Pod>? transform = null)
    {
        var clock = Stopwatch.StartNew();
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(options: Streaming(true, true)),
            new InformerOptions<V1Pod> { StoreMode = store, PageSize = 0, Transform = transform });
        using (GcChoice.Enter())
        {
            informer.Start();
            await informer.WaitForSyncAsync();
        }
        clock.Stop();
        var m = Finish(mode, pods, informer.Store.Count, clock, informer, () => KeysSha256.Compute(informer.Store.List()));
        var (get, metadata) = MeasureReads(informer.Store);
        return m with { ReadMicroseconds = Math.Round(get, 2), MetadataReadMicroseconds = Math.Round(metadata, 2) };
    }

    private static async Task<Measurement> RelistAsync(Kubernetes client, string server, string mode, int pods, StoreMode store, bool skip)
    {
        var streaming = client.CreateListWatch<V1Pod>(options: Streaming(true, true));
        var expire = new TaskCompletionSource();
        int watches = 0;
        var listWatch = new ListWatch<V1Pod>(streaming.List, (request, ct) => ControlledWatch(Interlocked.Increment(ref watches) == 1, expire.Task, ct));
        var clock = Stopwatch.StartNew();
        await using var informer = new Informer<V1Pod>(listWatch, new InformerOptions<V1Pod> { StoreMode = store, PageSize = 0, SkipUnchangedOnRelist = skip });
        informer.Start();
        await informer.WaitForSyncAsync();
        clock.Stop();

        double steadyHeap = ProcessMemory.RetainedHeapMiB();
        double steadyRss = ProcessMemory.RssMiB();
        using (var http = new HttpClient())
            (await http.PostAsync(new Uri(new Uri(server), "/streamlist/churn?percent=1&round=1"), null)).EnsureSuccessStatusCode();
        ProcessMemory.ResetPeakRss();
        var relist = Stopwatch.StartNew();
        expire.SetResult();
        while (informer.Statistics.ListsCompleted < 2)
            await Task.Delay(20);
        relist.Stop();
        double relistPeak = ProcessMemory.PeakRssMiB();
        var m = Finish(mode, pods, informer.Store.Count, clock, informer, () => KeysSha256.Compute(informer.Store.List())) with
        {
            SteadyHeapMiB = Math.Round(steadyHeap, 1),
            SteadyRssMiB = Math.Round(steadyRss, 1),
            RelistPeakRssMiB = Math.Round(relistPeak, 1),
            RelistSeconds = Math.Round(relist.Elapsed.TotalSeconds, 2),
            Ok = true,
            Error = null,
        };
        return m;
    }

    /// <summary>
    /// Median cost of one <c>Get</c>, and of one <c>GetMetadata</c>, by key over 10,000 random keys
    /// (each read timed alone, after 1,000 warm-up reads): a decode per read in compact mode.
    /// </summary>
    private static (double Get, double Metadata) MeasureReads(IStore<V1Pod> store)
    {
        var keys = store.ListKeys();
        var random = new Random(1);
        var sample = Enumerable.Range(0, 10_000).Select(_ => keys[random.Next(keys.Count)]).ToArray();
        foreach (var key in sample.Take(1000))
        {
            store.Get(key);
            store.GetMetadata(key);
        }
        return (Median(sample, key => store.Get(key)), Median(sample, key => store.GetMetadata(key)));

        static double Median(string[] sample, Func<string, object?> read)
        {
            var micros = new double[sample.Length];
            for (int i = 0; i < sample.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                read(sample[i]);
                micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            Array.Sort(micros);
            return micros[micros.Length / 2];
        }
    }

    /// <summary>The first watch waits until told, then fails with 410 (forcing a relist); later ones idle.</summary>
    private static async IAsyncEnumerable<WatchEvent<V1Pod>> ControlledWatch(bool first, Task expire, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (first)
        {
            await expire.WaitAsync(cancellationToken);
            throw new ResourceExpiredException(new V1Status { Code = 410, Reason = "Expired", Message = "benchmark: forced relist" });
        }
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}
