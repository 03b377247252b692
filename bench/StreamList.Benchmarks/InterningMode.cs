using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Fixture;
using StreamList.Codec;

namespace StreamList.Benchmarks;

/// <summary>
/// <c>interning [--pods N] [--repeat R] [--seed S] [--drop-managed-fields]</c>: how much heap a
/// decoded pod keeps alive with and without a <see cref="Utf8StringPool"/>, per the shared
/// measuring rules. With <c>--drop-managed-fields</c> each pod goes through
/// <see cref="Transforms.DropManagedFields{T}"/> after decoding, as an informer's transform would.
///
/// Contract: each mode runs in a fresh child process (so its peak RSS is its own), R times
/// (default 3), alternating modes; the parent prints one JSON line per mode to stdout with the
/// median and range over the runs, and each run's own line to stderr. A run decodes pods
/// 0..N-1 into a <see cref="List{T}"/> and measures <c>GC.GetTotalMemory(true)</c> before the
/// first pod and after the last, with the list (and the pool) still referenced. The pool is
/// created after the first reading, so its own slots and keys count against it. Input bytes are
/// made 1,000 pods at a time outside the timed and allocation-counted sections.
/// </summary>
internal static class InterningMode
{
    private const int Chunk = 1000;
    private static readonly string[] s_modes = ["none", "pooled"];

    /// <summary>The modes a child process measures (<c>--mode</c>).</summary>
    public static IReadOnlyList<string> Modes => s_modes;

    public static int Run(int pods, int repeat, int seed, string? mode, bool dropManagedFields)
    {
        if (mode is not null)
        {
            Console.WriteLine(Measure(mode, pods, seed, dropManagedFields).ToJsonString());
            return 0;
        }

        var runs = s_modes.ToDictionary(m => m, _ => new List<JsonObject>());
        for (int r = 0; r < repeat; r++)
        {
            foreach (string m in s_modes)
            {
                var line = RunChild(m, pods, seed, dropManagedFields);
                Console.Error.WriteLine(line.ToJsonString());
                runs[m].Add(line);
            }
        }
        foreach (string m in s_modes)
            Console.WriteLine(Summarize(runs[m]).ToJsonString());
        return 0;
    }

    private static JsonObject Measure(string mode, int pods, int seed, bool dropManagedFields)
    {
        // Warm up code paths (JIT, the fixture's and codec's static tables) outside the measurement;
        // the interning path with a throwaway pool, so the measured pool starts empty.
        for (int i = 0; i < 20; i++)
        {
            var bytes = KubernetesProtobuf.Encode(PodFixture.Create(seed, i));
            KubernetesProtobuf.Decode<V1Pod>(bytes);
            KubernetesProtobuf.Decode<V1Pod>(bytes, new DecodeOptions { Strings = new Utf8StringPool(16) });
        }

        var kept = new List<V1Pod>(pods);
        var chunk = new byte[Math.Min(Chunk, pods)][];
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var pool = mode == "pooled" ? new Utf8StringPool() : null;
        var options = pool is null ? DecodeOptions.NoInterning : new DecodeOptions { Strings = pool };

        long allocated = 0, protobufBytes = 0;
        var decoding = new Stopwatch();
        for (int start = 0; start < pods; start += Chunk)
        {
            int n = Math.Min(Chunk, pods - start);
            for (int k = 0; k < n; k++)
            {
                chunk[k] = KubernetesProtobuf.Encode(PodFixture.Create(seed, start + k));
                protobufBytes += chunk[k].Length;
            }
            long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
            decoding.Start();
            for (int k = 0; k < n; k++)
            {
                var pod = KubernetesProtobuf.Decode<V1Pod>(chunk[k], options);
                kept.Add(dropManagedFields ? Transforms.DropManagedFields(pod) : pod);
            }
            decoding.Stop();
            allocated += GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        }
        Array.Clear(chunk);
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(kept);
        GC.KeepAlive(pool);

        long retained = heapAfter - heapBefore;
        long hits = pool?.Hits ?? 0, misses = pool?.Misses ?? 0;
        return new JsonObject
        {
            ["mode"] = dropManagedFields ? mode + "-dropManagedFields" : mode,
            ["pods"] = pods,
            ["seed"] = seed,
            ["seconds"] = Math.Round(decoding.Elapsed.TotalSeconds, 3),
            ["peakRssMiB"] = Math.Round(PeakRssBytes() / 1048576.0, 1),
            ["heapMiB"] = Math.Round(retained / 1048576.0, 1),
            ["allocatedMiB"] = Math.Round(allocated / 1048576.0, 1),
            ["bytesPerPod"] = retained / pods,
            ["allocatedBytesPerPod"] = allocated / pods,
            ["protobufBytesPerPod"] = protobufBytes / pods,
            ["poolHits"] = hits,
            ["poolMisses"] = misses,
            ["poolHitRate"] = hits + misses == 0 ? null : Math.Round((double)hits / (hits + misses), 4),
            ["gc"] = GcDescription(),
        };
    }

    private static JsonObject RunChild(string mode, int pods, int seed, bool dropManagedFields)
    {
        // Under `dotnet run` the process is the app host; under `dotnet X.dll` it is dotnet itself.
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(InterningMode).Assembly.Location);
        foreach (string a in new[] { "interning", "--mode", mode, "--pods", Str(pods), "--seed", Str(seed) })
            start.ArgumentList.Add(a);
        if (dropManagedFields)
            start.ArgumentList.Add("--drop-managed-fields");
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"the {mode} run exited with {child.ExitCode}");
        return JsonNode.Parse(output.Trim())!.AsObject();
    }

    private static JsonObject Summarize(List<JsonObject> runs)
    {
        var first = runs[0];
        var summary = new JsonObject
        {
            ["mode"] = first["mode"]!.GetValue<string>(),
            ["pods"] = first["pods"]!.GetValue<int>(),
            ["runs"] = runs.Count,
        };
        foreach (string field in new[] { "seconds", "peakRssMiB", "heapMiB", "allocatedMiB", "bytesPerPod", "allocatedBytesPerPod" })
        {
            var values = runs.Select(r => r[field]!.GetValue<double>()).Order().ToArray();
            summary[field] = values[values.Length / 2];
            summary[field + "Range"] = new JsonArray(values[0], values[^1]);
        }
        foreach (string field in new[] { "protobufBytesPerPod", "poolHits", "poolMisses", "poolHitRate", "gc" })
            summary[field] = first[field]?.DeepClone();
        return summary;
    }

    private static long PeakRssBytes()
    {
        // VmHWM: the process's peak resident set, in kB (Linux only).
        const string path = "/proc/self/status";
        if (!File.Exists(path))
            return 0;
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    private static string GcDescription()
    {
        string kind = GCSettings.IsServerGC ? "server" : "workstation";
        string concurrent = GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent";
        string limit = Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") is { } l ? $", GCHeapHardLimit={l}" : "";
        string gen0 = Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is { } g ? $", GCgen0size={g}" : "";
        return $"{kind}, {concurrent}{limit}{gen0}";
    }

    private static string Str(int n) => n.ToString(CultureInfo.InvariantCulture);
}
