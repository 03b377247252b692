using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace StreamList.Benchmarks;

/// <summary>
/// <c>ratios [--rounds N]</c>: the comparisons of <see cref="PodCodecBenchmarks"/>,
/// <see cref="DecodeBreakdownBenchmarks"/> and <see cref="PodListDecodeBenchmarks"/> as interleaved stopwatch rounds, for a machine too busy
/// for BenchmarkDotNet's separate per-method runs to give stable ratios.
///
/// Contract: every round runs every method of a group back to back (order rotated each round),
/// so each ratio compares timings taken within the same fraction of a second; the ratio reported
/// is the median of the per-round ratios, with the 25th–75th percentile range. Times are per pod.
/// Allocation is the current thread's allocated bytes per pod. Warm-up rounds are discarded.
/// In the list group each timed call starts after a full, untimed collection: a call there
/// allocates ~25 MB and holds 1,000 pods, and without it one method's survivors would be
/// collected (and paid for) during the next method's call.
/// The "unseen pods" groups give every round pods the process has never decoded (fixture indexes
/// past all earlier rounds), so StreamList's shared caches hit only on values that really repeat
/// across pods, as in a large list; the other groups cycle the same pods and show the warm case.
/// Unseen pods are checked against their JSON after each round, outside the timing.
/// One Markdown table per group on stdout.
/// </summary>
internal static class RatioMode
{
    private sealed record Method(string Name, Func<object?> Run, int PodsPerCall, int CallsPerRound);

    public static int Run(int rounds)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratios: {rounds} rounds per group, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} {System.Runtime.GCSettings.LatencyMode}"));

        var codec = new PodCodecBenchmarks();
        codec.Setup();
        Measure("Decode (per pod, 16 fixture pods)", rounds, collectBetweenCalls: false,
        [
            new("KubernetesJson_Deserialize_String", codec.KubernetesJson_Deserialize_String, 16, 4),
            new("KubernetesJson_Deserialize_Utf8Stream", codec.KubernetesJson_Deserialize_Utf8Stream, 16, 4),
            new("StreamList_Decode", codec.StreamList_Decode, 16, 4),
            new("StreamList_Decode_NoInterning", codec.StreamList_Decode_NoInterning, 16, 4),
            new("StreamList_Decode_Interned", codec.StreamList_Decode_Interned, 16, 4),
            new("StreamList_Decode_SkipManagedFields", codec.StreamList_Decode_SkipManagedFields, 16, 4),
            new("StreamList_Decode_ShareParts", codec.StreamList_Decode_ShareParts, 16, 4),
            new("GoogleProtobuf_ParseFrom", codec.GoogleProtobuf_ParseFrom, 16, 4),
        ]);
        int nextUnseen = 1_000_000; // far past the indexes any other group decodes
        Measure("Decode of unseen pods (per pod, 16 new fixture pods each round)", rounds, collectBetweenCalls: false,
        [
            new("KubernetesJson_Deserialize_String", codec.KubernetesJson_Deserialize_String, 16, 1),
            new("StreamList_Decode", codec.StreamList_Decode, 16, 1),
            new("StreamList_Decode_NoInterning", codec.StreamList_Decode_NoInterning, 16, 1),
            new("StreamList_Decode_SkipManagedFields", codec.StreamList_Decode_SkipManagedFields, 16, 1),
            new("StreamList_Decode_ShareParts", codec.StreamList_Decode_ShareParts, 16, 1),
            new("GoogleProtobuf_ParseFrom", codec.GoogleProtobuf_ParseFrom, 16, 1),
        ],
        beforeRound: () => { codec.UseUnseenPods(nextUnseen); nextUnseen += 16; },
        afterRound: codec.VerifySamples);
        Measure("Encode (per pod, 16 fixture pods)", rounds, collectBetweenCalls: false,
        [
            new("KubernetesJson_Serialize", codec.KubernetesJson_Serialize, 16, 4),
            new("StreamList_Encode", codec.StreamList_Encode, 16, 4),
            new("GoogleProtobuf_ToByteArray", codec.GoogleProtobuf_ToByteArray, 16, 4),
        ]);

        var parts = new DecodeBreakdownBenchmarks();
        parts.Setup();
        Measure("Decode breakdown (per pod, 16 fixture pods)", rounds, collectBetweenCalls: false,
        [
            new("StreamList_Decode_Full", parts.StreamList_Decode_Full, 16, 4),
            new("StreamList_Decode_NoManagedFields", parts.StreamList_Decode_NoManagedFields, 16, 4),
            new("StreamList_Decode_NoQuantities", parts.StreamList_Decode_NoQuantities, 16, 4),
            new("StreamList_Decode_NoManagedFieldsNoQuantities", parts.StreamList_Decode_NoManagedFieldsNoQuantities, 16, 4),
            new("GoogleProtobuf_ParseFrom_Full", parts.GoogleProtobuf_ParseFrom_Full, 16, 4),
            new("GoogleProtobuf_ParseFrom_NoManagedFieldsNoQuantities", parts.GoogleProtobuf_ParseFrom_NoManagedFieldsNoQuantities, 16, 4),
            new("ResourceQuantity_Parse_PerPod", parts.ResourceQuantity_Parse_PerPod, 16, 4),
            new("FieldsV1_JsonElementParse_PerPod", () => parts.FieldsV1_JsonElementParse_PerPod(), 16, 4),
            new("FieldsV1_JsonElementParseSpan_PerPod", () => parts.FieldsV1_JsonElementParseSpan_PerPod(), 16, 4),
            new("FieldsV1_CopyBytes_PerPod", parts.FieldsV1_CopyBytes_PerPod, 16, 4),
        ]);

        var list = new PodListDecodeBenchmarks { Pods = 1000 };
        list.Setup();
        Measure("1,000-pod list decode (per pod)", Math.Max(10, rounds / 10), collectBetweenCalls: true,
        [
            new("KubernetesJson_Deserialize_String", list.KubernetesJson_Deserialize_String, 1000, 1),
            new("KubernetesJson_Deserialize_Utf8Stream", list.KubernetesJson_Deserialize_Utf8Stream, 1000, 1),
            new("StreamList_ProtobufListReader", () => list.StreamList_ProtobufListReader().GetAwaiter().GetResult(), 1000, 1),
            new("StreamList_ProtobufListReader_Interned", () => list.StreamList_ProtobufListReader_Interned().GetAwaiter().GetResult(), 1000, 1),
            new("StreamList_Decode_WholeList", list.StreamList_Decode_WholeList, 1000, 1),
            // Not a benchmark of its own: the same streaming read keeping no pod, to show what
            // holding 1,000 decoded pods costs in garbage collection.
            new("StreamList_ProtobufListReader_KeepingNone", () => list.CountWithoutKeeping().GetAwaiter().GetResult(), 1000, 1),
        ]);
        var unseenList = new PodListDecodeBenchmarks { Pods = 1000 };
        Measure("1,000-pod list decode of unseen pods (per pod, a new list each round)", Math.Max(10, rounds / 10), collectBetweenCalls: true,
        [
            new("KubernetesJson_Deserialize_String", unseenList.KubernetesJson_Deserialize_String, 1000, 1),
            new("StreamList_ProtobufListReader", () => unseenList.StreamList_ProtobufListReader().GetAwaiter().GetResult(), 1000, 1),
            new("StreamList_ProtobufListReader_NoInterning", () => unseenList.ReadWithoutInterning().GetAwaiter().GetResult(), 1000, 1),
            new("StreamList_ProtobufListReader_KeepingNone", () => unseenList.CountWithoutKeeping().GetAwaiter().GetResult(), 1000, 1),
        ],
        beforeRound: () => { unseenList.Prepare(nextUnseen); nextUnseen += 1000; },
        afterRound: unseenList.Verify);
        return 0;
    }

    private static void Measure(string title, int rounds, bool collectBetweenCalls, Method[] methods,
        Action? beforeRound = null, Action? afterRound = null)
    {
        // Enough rounds for tiered compilation to reach its optimized code before anything counts.
        int warmup = Math.Max(10, rounds / 10);
        var perPod = methods.Select(_ => new List<double>()).ToArray();
        var allocated = new long[methods.Length];
        var collections = new long[methods.Length, 3];
        for (int round = 0; round < warmup + rounds; round++)
        {
            beforeRound?.Invoke();
            for (int k = 0; k < methods.Length; k++)
            {
                int i = (k + round) % methods.Length;
                var m = methods[i];
                if (collectBetweenCalls)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                long allocBefore = GC.GetAllocatedBytesForCurrentThread();
                int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
                long start = Stopwatch.GetTimestamp();
                for (int c = 0; c < m.CallsPerRound; c++)
                    GC.KeepAlive(m.Run());
                double elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                long alloc = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
                if (round < warmup)
                    continue;
                perPod[i].Add(elapsed / (m.PodsPerCall * m.CallsPerRound));
                allocated[i] += alloc;
                collections[i, 0] += GC.CollectionCount(0) - gen0;
                collections[i, 1] += GC.CollectionCount(1) - gen1;
                collections[i, 2] += GC.CollectionCount(2) - gen2;
            }
            afterRound?.Invoke();
        }

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"\n### {title}: {rounds} rounds, baseline {methods[0].Name}{(collectBetweenCalls ? ", full collection before each call" : "")}\n");
        sb.AppendLine("| Method | Median µs/pod | Ratio to baseline (median of rounds) | Ratio p25–p75 | Baseline ÷ method | Allocated KB/pod | GCs per 1,000 pods (gen0/1/2) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        for (int i = 0; i < methods.Length; i++)
        {
            var ratios = perPod[i].Zip(perPod[0], (a, b) => a / b).Order().ToArray();
            double median = Percentile(ratios, 0.5);
            long pods = (long)rounds * methods[i].PodsPerCall * methods[i].CallsPerRound;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {methods[i].Name} | {Percentile(perPod[i].Order().ToArray(), 0.5):F2} | {median:F3} | {Percentile(ratios, 0.25):F3}–{Percentile(ratios, 0.75):F3} | {1 / median:F2}× | {allocated[i] / 1024.0 / pods:F2} | {Per1000(collections[i, 0], pods)}/{Per1000(collections[i, 1], pods)}/{Per1000(collections[i, 2], pods)} |");
        }
        Console.Write(sb.ToString());
    }

    private static string Per1000(long count, long pods) => (count * 1000.0 / pods).ToString("F1", CultureInfo.InvariantCulture);

    private static double Percentile(double[] sorted, double p)
    {
        double at = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(at), hi = (int)Math.Ceiling(at);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
    }
}
