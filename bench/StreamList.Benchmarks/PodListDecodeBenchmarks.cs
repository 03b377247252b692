using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using k8s;
using k8s.Models;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Testing.Fixture;
using StreamList.Codec;

namespace StreamList.Benchmarks;

/// <summary>
/// A 1,000-pod list body (fixture seed 1): StreamList's streaming protobuf list reader against
/// KubernetesClient's JSON deserialization of the same list (the baseline). Every method ends
/// holding all 1,000 pods, as a caller that keeps the list would.
/// </summary>
[MemoryDiagnoser]
public class PodListDecodeBenchmarks
{
    [Params(1000)]
    public int Pods { get; set; }

    private byte[] _protobuf = [];
    private string _json = "";
    private byte[] _jsonUtf8 = [];
    private DecodeOptions _interned = null!;

    [GlobalSetup]
    public void Setup()
    {
        Prepare(firstIndex: 0);
        Verify();
        _interned = new DecodeOptions { Strings = new Utf8StringPool() };
        ReadAll(_interned).GetAwaiter().GetResult(); // warms the shared pool
    }

    /// <summary>
    /// Makes the list of pods firstIndex..firstIndex+Pods-1 without decoding it (for <c>ratios</c>,
    /// which times the first decode of pods the process has never seen, then calls
    /// <see cref="Verify"/>).
    /// </summary>
    internal void Prepare(int firstIndex)
    {
        var list = new V1PodList
        {
            ApiVersion = "v1",
            Kind = "PodList",
            Metadata = new V1ListMeta { ResourceVersion = (PodFixture.FirstResourceVersion + Pods).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Items = Enumerable.Range(firstIndex, Pods).Select(i => PodFixture.Create(PodSamples.Seed, i)).ToList(),
        };
        // List items carry no apiVersion or kind, in protobuf (no envelope per item) and in the
        // apiserver's JSON alike: leave them out of the JSON too, so both sides decode the same.
        foreach (var pod in list.Items)
            (pod.ApiVersion, pod.Kind) = (null, null);
        _protobuf = KubernetesProtobuf.Encode(list);
        _json = KubernetesJson.Serialize(list);
        _jsonUtf8 = Encoding.UTF8.GetBytes(_json);
    }

    /// <summary>The streaming reader must yield every pod, equal to what JSON gives; throws otherwise.</summary>
    internal void Verify()
    {
        var streamed = ReadAll(DecodeOptions.Default).GetAwaiter().GetResult();
        var fromJson = KubernetesJson.Deserialize<V1PodList>(_json);
        if (streamed.Count != Pods)
            throw new InvalidOperationException($"the streaming reader gave {streamed.Count} pods of {Pods}");
        for (int i = 0; i < Pods; i++)
        {
            string a = KubernetesJson.Serialize(streamed[i]), b = KubernetesJson.Serialize(fromJson.Items[i]);
            if (a != b)
            {
                int at = a.Zip(b).TakeWhile(p => p.First == p.Second).Count();
                throw new InvalidOperationException($"pod {i} differs at {at}: stream '{a[Math.Max(0, at - 40)..Math.Min(a.Length, at + 40)]}' json '{b[Math.Max(0, at - 40)..Math.Min(b.Length, at + 40)]}'");
            }
        }
    }

    [Benchmark(Baseline = true)]
    public V1PodList KubernetesJson_Deserialize_String() => KubernetesJson.Deserialize<V1PodList>(_json);

    [Benchmark]
    public V1PodList KubernetesJson_Deserialize_Utf8Stream()
    {
        using var stream = new MemoryStream(_jsonUtf8, writable: false);
        return KubernetesJson.Deserialize<V1PodList>(stream);
    }

    [Benchmark]
    public Task<List<V1Pod>> StreamList_ProtobufListReader() => ReadAll(DecodeOptions.Default);

    [Benchmark]
    public Task<List<V1Pod>> StreamList_ProtobufListReader_Interned() => ReadAll(_interned);

    [Benchmark]
    public V1PodList StreamList_Decode_WholeList() => KubernetesProtobuf.Decode<V1PodList>(_protobuf);

    /// <summary>The streaming read without string interning (for <c>ratios</c>, on unseen pods).</summary>
    internal Task<List<V1Pod>> ReadWithoutInterning() => ReadAll(DecodeOptions.NoInterning);

    /// <summary>The streaming read that keeps no pod (for <c>ratios</c>: the cost of holding them).</summary>
    internal async Task<int> CountWithoutKeeping()
    {
        int count = 0;
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(_protobuf));
        await foreach (var pod in ProtobufListReader.ReadAsync<V1Pod>(reader, new ListProgress(), DecodeOptions.Default, CancellationToken.None))
            count += pod.Metadata is null ? 0 : 1;
        await reader.CompleteAsync();
        return count;
    }

    private async Task<List<V1Pod>> ReadAll(DecodeOptions options)
    {
        var items = new List<V1Pod>(Pods);
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(_protobuf));
        await foreach (var pod in ProtobufListReader.ReadAsync<V1Pod>(reader, new ListProgress(), options, CancellationToken.None))
            items.Add(pod);
        await reader.CompleteAsync();
        return items;
    }
}
