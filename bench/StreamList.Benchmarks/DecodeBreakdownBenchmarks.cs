using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using k8s.Models;
using StreamList.Testing.Fixture;
using GooglePod = K8S.Io.Api.Core.V1.Pod;
using StreamList.Codec;

namespace StreamList.Benchmarks;

/// <summary>
/// Where StreamList's pod decode spends its time (docs/benchmarks.md, "Where the time goes").
/// The same 16 fixture pods as <see cref="PodCodecBenchmarks"/>, decoded whole and with parts
/// taken out (managedFields, resource quantities), beside the cost of the two library calls those
/// parts go through: KubernetesClient's <see cref="ResourceQuantity"/> constructor and
/// <see cref="JsonElement.ParseValue"/> for FieldsV1. Google.Protobuf decodes the same variants
/// (it keeps quantities as strings and FieldsV1 as bytes), so the gap per part shows.
/// Results per pod.
/// </summary>
[MemoryDiagnoser]
public class DecodeBreakdownBenchmarks
{
    private const int PodCount = 16;

    private byte[][] _full = [];
    private byte[][] _noManagedFields = [];
    private byte[][] _noQuantities = [];
    private byte[][] _neither = [];
    private byte[][] _fullMessages = [];
    private byte[][] _neitherMessages = [];
    private string[][] _quantities = [];
    private byte[][][] _fieldsV1 = [];

    [GlobalSetup]
    public void Setup()
    {
        _full = Encode(_ => { });
        _noManagedFields = Encode(p => p.Metadata.ManagedFields = null);
        _noQuantities = Encode(StripQuantities);
        _neither = Encode(p =>
        {
            p.Metadata.ManagedFields = null;
            StripQuantities(p);
        });
        _fullMessages = Messages(_ => { });
        _neitherMessages = Messages(p =>
        {
            p.Metadata.ManagedFields = null;
            StripQuantities(p);
        });
        var pods = Enumerable.Range(0, PodCount).Select(i => PodFixture.Create(PodSamples.Seed, i)).ToArray();
        _quantities = pods.Select(p => Containers(p)
            .SelectMany(c => (c.Resources?.Requests?.Values ?? []).Concat(c.Resources?.Limits?.Values ?? []))
            .Select(q => q.ToString()).ToArray()).ToArray();
        _fieldsV1 = pods.Select(p => p.Metadata.ManagedFields
            .Select(m => JsonMarshal.GetRawUtf8Value((JsonElement)m.FieldsV1).ToArray()).ToArray()).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PodCount)]
    public V1Pod? StreamList_Decode_Full() => DecodeAll(_full);

    [Benchmark(OperationsPerInvoke = PodCount)]
    public V1Pod? StreamList_Decode_NoManagedFields() => DecodeAll(_noManagedFields);

    [Benchmark(OperationsPerInvoke = PodCount)]
    public V1Pod? StreamList_Decode_NoQuantities() => DecodeAll(_noQuantities);

    [Benchmark(OperationsPerInvoke = PodCount)]
    public V1Pod? StreamList_Decode_NoManagedFieldsNoQuantities() => DecodeAll(_neither);

    [Benchmark(OperationsPerInvoke = PodCount)]
    public GooglePod? GoogleProtobuf_ParseFrom_Full() => ParseAll(_fullMessages);

    [Benchmark(OperationsPerInvoke = PodCount)]
    public GooglePod? GoogleProtobuf_ParseFrom_NoManagedFieldsNoQuantities() => ParseAll(_neitherMessages);

    /// <summary>The 8 quantities of a pod through KubernetesClient's parser, as decoding without a pool does.</summary>
    [Benchmark(OperationsPerInvoke = PodCount)]
    public ResourceQuantity? ResourceQuantity_Parse_PerPod()
    {
        ResourceQuantity? last = null;
        foreach (var pod in _quantities)
        {
            foreach (string q in pod)
                last = new ResourceQuantity(q);
        }
        return last;
    }

    /// <summary>The 3 FieldsV1 values of a pod parsed into JsonElement with <c>ParseValue</c> over a reader, as StreamList's decode did before commit e4a77e5.</summary>
    [Benchmark(OperationsPerInvoke = PodCount)]
    public JsonElement FieldsV1_JsonElementParse_PerPod()
    {
        JsonElement last = default;
        foreach (var pod in _fieldsV1)
        {
            foreach (byte[] raw in pod)
            {
                var reader = new Utf8JsonReader(raw);
                last = JsonElement.ParseValue(ref reader);
            }
        }
        return last;
    }

    /// <summary>The 3 FieldsV1 values of a pod parsed with <c>JsonElement.Parse(span)</c>, as StreamList's decode (RawCodec) does now.</summary>
    [Benchmark(OperationsPerInvoke = PodCount)]
    public JsonElement FieldsV1_JsonElementParseSpan_PerPod()
    {
        JsonElement last = default;
        foreach (var pod in _fieldsV1)
        {
            foreach (byte[] raw in pod)
                last = JsonElement.Parse(raw);
        }
        return last;
    }

    /// <summary>The 3 FieldsV1 values of a pod copied as bytes, as Google.Protobuf does.</summary>
    [Benchmark(OperationsPerInvoke = PodCount)]
    public ByteString? FieldsV1_CopyBytes_PerPod()
    {
        ByteString? last = null;
        foreach (var pod in _fieldsV1)
        {
            foreach (byte[] raw in pod)
                last = ByteString.CopyFrom(raw);
        }
        return last;
    }

    private static V1Pod? DecodeAll(byte[][] pods)
    {
        V1Pod? last = null;
        foreach (byte[] bytes in pods)
            last = KubernetesProtobuf.Decode<V1Pod>(bytes);
        return last;
    }

    private static GooglePod? ParseAll(byte[][] messages)
    {
        GooglePod? last = null;
        foreach (byte[] message in messages)
            last = GooglePod.Parser.ParseFrom(message);
        return last;
    }

    private static IEnumerable<V1Container> Containers(V1Pod pod) =>
        pod.Spec.Containers.Concat(pod.Spec.InitContainers ?? []);

    private static void StripQuantities(V1Pod pod)
    {
        foreach (var c in Containers(pod))
            c.Resources = new V1ResourceRequirements();
    }

    private static byte[][] Encode(Action<V1Pod> change) =>
        Enumerable.Range(0, PodCount).Select(i =>
        {
            var pod = PodFixture.Create(PodSamples.Seed, i);
            change(pod);
            return KubernetesProtobuf.Encode(pod);
        }).ToArray();

    private static byte[][] Messages(Action<V1Pod> change) =>
        Enumerable.Range(0, PodCount).Select(i =>
        {
            var pod = PodFixture.Create(PodSamples.Seed, i);
            change(pod);
            return StreamList.Codec.ListEncoding.EncodeMessage(pod);
        }).ToArray();
}
