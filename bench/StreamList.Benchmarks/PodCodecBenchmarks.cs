using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Google.Protobuf;
using k8s;
using k8s.Models;
using StreamList.Memory;
using GooglePod = K8S.Io.Api.Core.V1.Pod;
using StreamList.Codec;

namespace StreamList.Benchmarks;

/// <summary>
/// One realistic pod (docs/fixture.md), decoded and encoded by StreamList, by KubernetesClient's
/// JSON (the baseline of each category) and by protoc's Google.Protobuf classes.
///
/// Each invocation works through the same 16 fixture pods (<c>PodFixture.Create(1, 0..15)</c>,
/// 4–5.5 KB of protobuf each) and reports per pod (<c>OperationsPerInvoke</c>), so no single
/// pod's shape decides the result. All input bytes are made in <see cref="Setup"/>.
///
/// The <c>DecodePopulation</c> category decodes 20,000 distinct pods in turn instead: more
/// per-pod values (uids, IPs, the kubelet's FieldsV1 naming the pod's IP) than StreamList's
/// shared caches hold, so those miss as on a large list's unseen pods, while values every pod
/// shares (namespaces, images, label keys, node names) stay cached as they do in a real list.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PodCodecBenchmarks
{
    private const int PodCount = 16;
    private const int PopulationCount = 20_000;

    private PodSamples _samples = null!;
    private DecodeOptions _interned = null!;
    private static readonly DecodeOptions s_skipManagedFields = DecodeOptions.Default with { SkipManagedFields = true };
    private static readonly DecodeOptions s_shareParts = DecodeOptions.Default with { ShareParts = true };
    private PodPopulation _population = null!;

    [GlobalSetup]
    public void Setup()
    {
        _samples = PodSamples.Create(PodCount);
        // A shared pool, warmed as an informer's pool is after its first list. With only 16 pods
        // cycled, the per-pod values marked for interning (generateName, pod-template-hash, some
        // annotation values) hit too after the warm-up: the pool's best case. The interning mode
        // (docs/benchmarks.md) measures the hit rate over 50,000 distinct pods.
        _interned = new DecodeOptions { Strings = new Utf8StringPool() };
        foreach (var bytes in _samples.Enveloped)
            KubernetesProtobuf.Decode<V1Pod>(bytes, _interned);
    }

    [GlobalSetup(Targets = [nameof(KubernetesJson_Deserialize_Population), nameof(StreamList_Decode_Population), nameof(StreamList_Decode_Population_SkipManagedFields),
        nameof(StreamList_Decode_Population_ShareParts), nameof(GoogleProtobuf_ParseFrom_Population)])]
    public void SetupPopulation() => _population = PodPopulation.Create(PopulationCount);

    /// <summary>
    /// For <c>ratios</c>: swaps in 16 pods starting at <paramref name="firstIndex"/>, unchecked,
    /// so a round can time the decode of pods the process has never seen (no cache holds their
    /// per-pod values); <see cref="VerifySamples"/> checks them after the round.
    /// </summary>
    internal void UseUnseenPods(int firstIndex) => _samples = PodSamples.Make(PodCount, firstIndex);

    internal void VerifySamples() => _samples.VerifyAll();

    // ---- Decode -------------------------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = PodCount), BenchmarkCategory("Decode")]
    public V1Pod? KubernetesJson_Deserialize_String() => DeserializeJson(_samples.Json);

    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Decode")]
    public V1Pod? KubernetesJson_Deserialize_Utf8Stream()
    {
        V1Pod? last = null;
        foreach (byte[] utf8 in _samples.JsonUtf8)
        {
            using var stream = new MemoryStream(utf8, writable: false);
            last = KubernetesJson.Deserialize<V1Pod>(stream);
        }
        return last;
    }

    /// <summary>The default: interning through the process-wide shared pool.</summary>
    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Decode")]
    public V1Pod? StreamList_Decode() => Decode(_samples.Enveloped, options: null);

    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Decode")]
    public V1Pod? StreamList_Decode_NoInterning() => Decode(_samples.Enveloped, DecodeOptions.NoInterning);

    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Decode")]
    public V1Pod? StreamList_Decode_Interned() => Decode(_samples.Enveloped, _interned);

    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Decode")]
    public V1Pod? StreamList_Decode_SkipManagedFields() => Decode(_samples.Enveloped, s_skipManagedFields);

    /// <summary>What an informer decodes with: repeated parts shared between objects.</summary>
    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Decode")]
    public V1Pod? StreamList_Decode_ShareParts() => Decode(_samples.Enveloped, s_shareParts);

    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Decode")]
    public GooglePod? GoogleProtobuf_ParseFrom() => ParseGoogle(_samples.Messages);

    // ---- Decode, 20,000 distinct pods -----------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = PopulationCount), BenchmarkCategory("DecodePopulation")]
    public V1Pod? KubernetesJson_Deserialize_Population() => DeserializeJson(_population.Json);

    [Benchmark(OperationsPerInvoke = PopulationCount), BenchmarkCategory("DecodePopulation")]
    public V1Pod? StreamList_Decode_Population() => Decode(_population.Enveloped, options: null);

    [Benchmark(OperationsPerInvoke = PopulationCount), BenchmarkCategory("DecodePopulation")]
    public V1Pod? StreamList_Decode_Population_SkipManagedFields() => Decode(_population.Enveloped, s_skipManagedFields);

    [Benchmark(OperationsPerInvoke = PopulationCount), BenchmarkCategory("DecodePopulation")]
    public V1Pod? StreamList_Decode_Population_ShareParts() => Decode(_population.Enveloped, s_shareParts);

    [Benchmark(OperationsPerInvoke = PopulationCount), BenchmarkCategory("DecodePopulation")]
    public GooglePod? GoogleProtobuf_ParseFrom_Population() => ParseGoogle(_population.Messages);

    private static V1Pod? DeserializeJson(string[] pods)
    {
        V1Pod? last = null;
        foreach (string json in pods)
            last = KubernetesJson.Deserialize<V1Pod>(json);
        return last;
    }

    private static V1Pod? Decode(byte[][] pods, DecodeOptions? options)
    {
        V1Pod? last = null;
        foreach (byte[] bytes in pods)
            last = KubernetesProtobuf.Decode<V1Pod>(bytes, options);
        return last;
    }

    private static GooglePod? ParseGoogle(byte[][] pods)
    {
        GooglePod? last = null;
        foreach (byte[] message in pods)
            last = GooglePod.Parser.ParseFrom(message);
        return last;
    }

    // ---- Encode -------------------------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = PodCount), BenchmarkCategory("Encode")]
    public string? KubernetesJson_Serialize()
    {
        string? last = null;
        foreach (var pod in _samples.Pods)
            last = KubernetesJson.Serialize(pod);
        return last;
    }

    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Encode")]
    public byte[]? StreamList_Encode()
    {
        byte[]? last = null;
        foreach (var pod in _samples.Pods)
            last = KubernetesProtobuf.Encode(pod);
        return last;
    }

    [Benchmark(OperationsPerInvoke = PodCount), BenchmarkCategory("Encode")]
    public byte[]? GoogleProtobuf_ToByteArray()
    {
        byte[]? last = null;
        foreach (var pod in _samples.GooglePods)
            last = pod.ToByteArray();
        return last;
    }
}
