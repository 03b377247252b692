using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using k8s;
using k8s.Models;
using StreamList.Codec;
using StreamList.Informers;
using StreamList.Listing;
using StreamList.Tests.Support;
using StreamList.Watching;
using StreamList.Wire;

namespace StreamList.Tests.Informers;

/// <summary>
/// A compact store keeps each object as the bytes it arrived in: the readers offer every protobuf
/// list item and ADDED/MODIFIED event object (<see cref="ItemTaker"/>) before decoding it, and
/// <see cref="OwnedMessage"/> copies (and, for the built-in transforms, trims) them. Proven on the
/// real pod fixture, split and truncated at every byte, through buffers overwritten once returned.
/// </summary>
public class StoreFromWireTests
{
    private static readonly byte[] RealPod = ProtoBytes.Open(Fixtures.Protobuf("core.v1.Pod")).Raw;

    // The real pod, then two small ones: each a list item's (and a watch object's raw) message body.
    private static readonly byte[][] Items = [RealPod, ListEncoding.EncodeMessage(SmallObjects.Pod(1)), ListEncoding.EncodeMessage(SmallObjects.Pod(2))];

    private static byte[] PodList(IEnumerable<byte[]> items) =>
        ProtoBytes.Envelope("v1", "PodList", ProtoBytes.Concat([
            ProtoBytes.LenField(1, ProtoBytes.StringField(2, "900")), .. items.Select(i => ProtoBytes.LenField(2, i))]));

    private static byte[] Frame(string type, byte[] message, bool typed)
    {
        var evt = ProtoBytes.Concat(ProtoBytes.StringField(1, type),
            ProtoBytes.LenField(2, ProtoBytes.LenField(1, ProtoBytes.Envelope(typed ? "v1" : "", typed ? "Pod" : "", message))));
        var frame = new byte[4 + evt.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, evt.Length);
        evt.CopyTo(frame, 4);
        return frame;
    }

    private static readonly byte[] WatchBodyBytes = ProtoBytes.Concat(
        Frame("ADDED", Items[0], typed: false),
        Frame("MODIFIED", Items[1], typed: true),
        Frame("DELETED", Items[2], typed: true),
        WatchEncoding.EncodeFrame("BOOKMARK", new V1Pod { Metadata = new V1ObjectMeta { ResourceVersion = "950" } }));

    private sealed class Taker
    {
        public List<(ItemIdentity Id, byte[] Message)> Taken { get; } = [];

        public bool Take(ItemIdentity id, ReadOnlySequence<byte> message)
        {
            Taken.Add((id, message.ToArray()));
            return true;
        }
    }

    private static async Task<(Taker Taker, List<V1Pod> Yielded, ListProgress Progress)> ReadList(PipeReader reader, DecodeOptions? options = null)
    {
        var taker = new Taker();
        var progress = new ListProgress();
        var yielded = new List<V1Pod>();
        await foreach (var pod in ListBody.ReadAsync<V1Pod>(reader, "application/vnd.kubernetes.protobuf", progress, options ?? DecodeOptions.Default, taker.Take, CancellationToken.None))
            yielded.Add(pod);
        return (taker, yielded, progress);
    }

    private static async Task<(Taker Taker, List<WatchEvent<V1Pod>> Yielded)> ReadWatch(PipeReader reader, DecodeOptions? options = null)
    {
        var taker = new Taker();
        var yielded = new List<WatchEvent<V1Pod>>();
        await foreach (var e in WatchBody.ReadAsync<V1Pod>(reader, "application/vnd.kubernetes.protobuf;stream=watch", options ?? DecodeOptions.Default, taker.Take, CancellationToken.None))
            yielded.Add(e);
        return (taker, yielded);
    }

    private static readonly string[] ItemNames = [.. Items.Select(Name)];

    // Byte arrays compared as spans: xUnit's element-wise comparison costs seconds over every split point.
    private static bool Same(IEnumerable<byte[]> expected, IEnumerable<byte[]> actual)
    {
        var a = expected.ToList();
        var b = actual.ToList();
        return a.Count == b.Count && a.Zip(b).All(p => p.First.AsSpan().SequenceEqual(p.Second));
    }

    private static string Name(byte[] message) => KubernetesProtobuf.Decode<V1Pod>(ProtoBytes.Envelope("v1", "Pod", message)).Metadata.Name;

    [Fact]
    public async Task List_items_are_offered_as_their_exact_wire_bytes_at_every_split_point()
    {
        var body = PodList(Items);
        for (int cut = 0; cut <= body.Length; cut++)
        {
            var (taker, yielded, progress) = await ReadList(PipeReader.Create(Sequences.Split(body, cut)));
            Assert.Empty(yielded);
            Assert.True(progress.Complete, $"cut {cut}");
            Assert.Equal(3, progress.Items);
            Assert.True(Same(Items, taker.Taken.Select(t => t.Message)), $"cut {cut}");
            Assert.Equal(ItemNames, taker.Taken.Select(t => t.Id.Name));
        }
    }

    [Fact]
    public async Task Every_truncated_list_fails_and_offers_only_whole_items()
    {
        var body = PodList(Items);
        for (int length = 0; length < body.Length; length++)
        {
            var taker = new Taker();
            var progress = new ListProgress();
            await Assert.ThrowsAsync<KubernetesWireException>(async () =>
            {
                await foreach (var _ in ListBody.ReadAsync<V1Pod>(PipeReader.Create(new ReadOnlySequence<byte>(body, 0, length)),
                    "application/vnd.kubernetes.protobuf", progress, DecodeOptions.Default, taker.Take, CancellationToken.None))
                {
                }
            });
            Assert.False(progress.Complete);
            Assert.True(Same(Items.Take(taker.Taken.Count), taker.Taken.Select(t => t.Message)), $"length {length}");
        }
    }

    [Fact]
    public async Task Items_not_taken_are_decoded_and_yielded_as_before()
    {
        var progress = new ListProgress();
        var yielded = new List<V1Pod>();
        await foreach (var pod in ListBody.ReadAsync<V1Pod>(PipeReader.Create(new ReadOnlySequence<byte>(PodList(Items))),
            "application/vnd.kubernetes.protobuf", progress, DecodeOptions.Default, (id, _) => id.Name != "pod-1", CancellationToken.None))
            yielded.Add(pod);
        Assert.Equal(["pod-1"], yielded.Select(p => p.Metadata.Name));
        Assert.Equal(3, progress.Items);
    }

    [Fact]
    public async Task Under_MetadataOnly_the_offered_message_is_the_metadata_record_alone()
    {
        var options = new DecodeOptions { MetadataOnly = true };
        var expected = Items.Select(i => ProtoBytes.LenField(1, WireMessage.At(i, [1]))).ToArray();
        var (list, _, _) = await ReadList(PipeReader.Create(Sequences.Split(PodList(Items), 100)), options);
        Assert.Equal(expected, list.Taken.Select(t => t.Message));
        var (watch, _) = await ReadWatch(PipeReader.Create(new ReadOnlySequence<byte>(WatchBodyBytes)), options);
        Assert.Equal(expected.Take(2), watch.Taken.Select(t => t.Message));
    }

    [Fact]
    public async Task Watch_objects_of_added_and_modified_events_are_offered_as_their_wire_bytes_at_every_split_point()
    {
        for (int cut = 0; cut <= WatchBodyBytes.Length; cut++)
        {
            var (taker, yielded) = await ReadWatch(PipeReader.Create(Sequences.Split(WatchBodyBytes, cut)));
            Assert.True(Same(Items.Take(2), taker.Taken.Select(t => t.Message)), $"cut {cut}");
            Assert.Equal([WatchEventKind.Deleted, WatchEventKind.Bookmark], yielded.Select(e => e.Type));
            Assert.Equal("pod-2", yielded[0].Object.Metadata.Name);
        }
    }

    [Fact]
    public void Owned_copies_equal_the_wire_bytes_and_the_built_in_transforms_applied_to_the_object()
    {
        foreach (var item in Items)
        {
            var segments = Sequences.Chunks(item, 7);
            Assert.Equal(item, OwnedMessage.Copy(segments, MessageTrim.None));

            // Independent of OwnedMessage: the test's own wire parser drops field 17 of field 1.
            var dropped = WireMessage.Rewrite(item, [1], fields => fields.Where(f => f.Number != 17).ToList());
            Assert.Equal(dropped, OwnedMessage.Copy(segments, MessageTrim.DropManagedFields));
            var pod = KubernetesProtobuf.Decode<V1Pod>(ProtoBytes.Envelope("v1", "Pod", item));
            Assert.Equal(ListEncoding.EncodeMessage(Transforms.DropManagedFields(pod)), dropped);

            var metadataOnly = ProtoBytes.LenField(1, WireMessage.At(item, [1]));
            Assert.Equal(metadataOnly, OwnedMessage.Copy(segments, MessageTrim.MetadataOnly));
        }
        Assert.True(OwnedMessage.Copy(RealPod, MessageTrim.DropManagedFields)!.Length < RealPod.Length, "the real pod has managedFields to drop");
    }

    [Fact]
    public void A_body_whose_top_level_is_malformed_is_not_copied_so_the_decoder_reports_it()
    {
        int malformed = 0;
        for (int length = 1; length < Items[1].Length; length++)
        {
            // A cut inside a top-level field (the test's own parser says so): nothing may be stored from
            // these bytes; a cut between two fields is a shorter well-formed message, copied as it is.
            var cut = Items[1].AsSpan(0, length).ToArray();
            bool wellFormed = WellFormed(cut);
            malformed += wellFormed ? 0 : 1;
            foreach (var trim in Enum.GetValues<MessageTrim>())
                Assert.Equal(wellFormed, OwnedMessage.Copy(cut, trim) is not null);
        }
        Assert.True(malformed > Items[1].Length / 2, $"{malformed} malformed cuts");

        static bool WellFormed(byte[] message)
        {
            try
            {
                var fields = WireMessage.Parse(message);
                return fields.Count == 0 || fields[^1].End == message.Length;
            }
            catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or FormatException or OverflowException)
            {
                return false;
            }
        }
    }

    /// <summary>Every block returned to it is overwritten at once, as a reused network or pooled buffer would be.</summary>
    private sealed class PoisoningPool : MemoryPool<byte>
    {
        public override int MaxBufferSize => 4096;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Block(Math.Max(minBufferSize, 512));

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Block(int size) : IMemoryOwner<byte>
        {
            private readonly byte[] _array = new byte[size];

            public Memory<byte> Memory => _array;

            public void Dispose() => _array.AsSpan().Fill(0xEE);
        }
    }

    [Fact]
    public async Task A_compact_informer_keeps_owned_bytes_while_the_reader_poisons_every_buffer_it_returns()
    {
        var pods = Enumerable.Range(0, 40).Select(SmallObjects.Pod).ToList();
        var body = PodList([RealPod, .. pods.Select(ListEncoding.EncodeMessage)]);
        var watch = new TaskCompletionSource();
        var listWatch = new ListWatch<V1Pod>(
            (request, progress, ct) => ListBody.ReadAsync<V1Pod>(
                PipeReader.Create(new MemoryStream(body), new StreamPipeReaderOptions(pool: new PoisoningPool(), bufferSize: 512, minimumReadSize: 256)),
                "application/vnd.kubernetes.protobuf", progress, DecodeOptions.Default, request.TakeItem, ct),
            (request, ct) => Idle(watch, ct));
        await using var informer = new Informer<V1Pod>(listWatch, new InformerOptions<V1Pod> { StoreMode = StoreMode.Compact });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync());

        Assert.Equal(41, informer.Statistics.StoredFromWire);
        var expected = new List<byte[]>([RealPod, .. pods.Select(ListEncoding.EncodeMessage)]);
        var store = (InformerStore<V1Pod>)informer.Store;
        var held = store.SnapshotPayloads().Cast<byte[]>().OrderBy(Name, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.OrderBy(Name, StringComparer.Ordinal), held);
        foreach (var message in expected)
        {
            var decoded = KubernetesProtobuf.Decode<V1Pod>(ProtoBytes.Envelope("v1", "Pod", message));
            Assert.Equal(KubernetesJson.Serialize(decoded), KubernetesJson.Serialize(informer.Store.Get(ObjectKey.For(decoded.Metadata))));
        }

        static async IAsyncEnumerable<WatchEvent<V1Pod>> Idle(TaskCompletionSource never, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await never.Task.WaitAsync(ct);
            yield break;
        }
    }
}
