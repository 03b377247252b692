using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using k8s.Models;
using StreamList.Codec;
using StreamList.Informers;
using StreamList.Testing.Fixture;
using StreamList.Watching;

namespace StreamList.Benchmarks;

/// <summary>
/// A protobuf watch stream of 1,000 MODIFIED pod events (fixture seed 1) read on one thread into
/// each store mode, as the reflector applies them: Objects decodes every pod, sharing repeated parts
/// as an informer asks (<c>DecodeOptions.ShareParts</c>; not with a transform of the user's own), and
/// stores it (with managedFields, or skipping them as an informer with <c>Transforms.DropManagedFields</c> asks);
/// Compact and Compressed take each object's bytes from the stream (no decode) and store an owned
/// copy (compressed with a dictionary already trained). Throughput = <see cref="StreamBytes"/> ÷ mean.
/// </summary>
[MemoryDiagnoser]
public class WatchDecodeBenchmarks
{
    private const int Events = 1000;

    private byte[] _stream = [];
    private readonly InformerStore<V1Pod> _objects = new(StoreMode.Objects, null, null);
    private readonly InformerStore<V1Pod> _objectsSkipping = new(StoreMode.Objects, null, null);
    private readonly InformerStore<V1Pod> _objectsOwnParts = new(StoreMode.Objects, null, null);
    private readonly InformerStore<V1Pod> _compact = new(StoreMode.Compact, null, null);
    private readonly InformerStore<V1Pod> _compressed = new(StoreMode.Compressed, null, null);

    /// <summary>Bytes of the watch stream each benchmark reads.</summary>
    public long StreamBytes => _stream.Length;

    [GlobalSetup]
    public void Setup()
    {
        _stream = [.. Enumerable.Range(0, Events).SelectMany(i => WatchEncoding.EncodeFrame("MODIFIED", PodFixture.Create(PodSamples.Seed, i)))];
        Console.WriteLine($"// watch stream: {Events} MODIFIED events, {_stream.Length} bytes");
        IntoCompressed().GetAwaiter().GetResult(); // trains the dictionary from these 1,000 pods
        if (_objects.Count != 0 || _compressed.Count != Events)
            throw new InvalidOperationException("setup did not store every event");
    }

    private PipeReader Reader() => PipeReader.Create(new ReadOnlySequence<byte>(_stream));

    [Benchmark(Baseline = true)]
    public Task<int> IntoObjects() => Decoded(_objects, DecodeOptions.Default with { ShareParts = true });

    /// <summary>An informer with <c>Transforms.DropManagedFields</c>: its watch skips them while decoding.</summary>
    [Benchmark]
    public Task<int> IntoObjectsSkippingManagedFields() => Decoded(_objectsSkipping, DecodeOptions.Default with { SkipManagedFields = true, ShareParts = true });

    /// <summary>An informer with a transform of the user's own: every object has parts of its own.</summary>
    [Benchmark]
    public Task<int> IntoObjectsNotSharingParts() => Decoded(_objectsOwnParts, DecodeOptions.Default);

    private async Task<int> Decoded(InformerStore<V1Pod> store, DecodeOptions options)
    {
        await foreach (var e in WatchBody.ReadAsync<V1Pod>(Reader(), "application/vnd.kubernetes.protobuf;stream=watch", options, null, CancellationToken.None))
            store.Upsert(e.Object);
        return store.Count;
    }

    [Benchmark]
    public Task<int> IntoCompact() => FromBytes(_compact);

    [Benchmark]
    public Task<int> IntoCompressed() => FromBytes(_compressed);

    private async Task<int> FromBytes(InformerStore<V1Pod> store)
    {
        ItemTaker take = (id, message) =>
        {
            store.UpsertMessage(id, OwnedMessage.Copy(message, MessageTrim.None)!);
            return true;
        };
        await foreach (var _ in WatchBody.ReadAsync<V1Pod>(Reader(), "application/vnd.kubernetes.protobuf;stream=watch", DecodeOptions.Default, take, CancellationToken.None))
            throw new InvalidOperationException("every event should have been taken");
        return store.Count;
    }
}
