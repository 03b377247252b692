using System.IO.Pipelines;
using k8s;
using k8s.Models;
using StreamList.Http;
using StreamList.Listing;
using StreamList.Tests.Support;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Tests.Listing;

public class ProtobufListReaderTests
{
    private static readonly DecodeOptions Options = DecodeOptions.Default;

    private static async Task<(List<V1Pod> Items, ListProgress Progress)> ReadAll(PipeReader reader, DecodeOptions? options = null)
    {
        var progress = new ListProgress();
        var items = new List<V1Pod>();
        await foreach (var pod in ProtobufListReader.ReadAsync<V1Pod>(reader, progress, options ?? Options, CancellationToken.None))
            items.Add(pod);
        return (items, progress);
    }

    private static string Json(IEnumerable<V1Pod> pods) => KubernetesJson.Serialize(pods.ToList());

    // What the codec makes of each item (e.g. Go value structs such as resources become {}): the
    // reference for framing tests, which test splitting, not the codec.
    private static string Expected(V1PodList list) =>
        Json(list.Items.Select(p =>
        {
            var item = KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(p));
            item.ApiVersion = null; // list items carry no TypeMeta, as in the apiserver's lists
            item.Kind = null;
            return item;
        }));

    [Fact]
    public async Task Streams_every_item_and_the_metadata()
    {
        var list = SmallObjects.PodList(5, "777", "next-page");
        var (items, progress) = await ReadAll(SplitPipe.From(KubernetesProtobuf.Encode(list)));
        Assert.Equal(Expected(list), Json(items));
        Assert.True(progress.Complete);
        Assert.Equal(5, progress.Items);
        Assert.Equal("777", progress.Metadata?.ResourceVersion);
        Assert.Equal("next-page", progress.Metadata?.ContinueProperty);
        Assert.Equal(KubernetesProtobuf.Encode(list).Length, progress.Bytes);
    }

    [Fact]
    public async Task Every_split_point_gives_the_same_result()
    {
        var list = SmallObjects.PodList(3);
        var body = KubernetesProtobuf.Encode(list);
        string expected = Expected(list);
        for (int cut = 0; cut <= body.Length; cut++)
        {
            var (items, progress) = await ReadAll(SplitPipe.From(body, cut));
            Assert.Equal(expected, Json(items));
            Assert.True(progress.Complete, $"cut {cut}");
            Assert.Equal("5000", progress.Metadata?.ResourceVersion);
        }
        var (oneByOne, p1) = await ReadAll(SplitPipe.OneByteAtATime(body));
        Assert.Equal(expected, Json(oneByOne));
        Assert.True(p1.Complete);
    }

    [Fact]
    public async Task Every_truncation_fails_and_is_never_complete()
    {
        var body = KubernetesProtobuf.Encode(SmallObjects.PodList(3));
        // Even a cut just before the envelope's two trailing empty fields (1a 00 22 00), which
        // leaves a well-formed message holding every item, fails: the apiserver always writes them.
        for (int length = 0; length < body.Length; length++)
        {
            var progress = new ListProgress();
            var e = await Assert.ThrowsAsync<KubernetesWireException>(async () =>
            {
                await foreach (var _ in ProtobufListReader.ReadAsync<V1Pod>(SplitPipe.From(body.AsMemory(0, length)), progress, Options, CancellationToken.None))
                {
                }
            });
            Assert.False(progress.Complete);
            Assert.True(e.Kind is WireErrorKind.Truncated or WireErrorKind.LengthOutOfRange, $"length {length}: {e.Kind} {e.Message}");
        }
    }

    [Fact]
    public async Task Metadata_after_items_and_unknown_fields_anywhere_are_accepted()
    {
        var list = SmallObjects.PodList(4, "900");
        var w = new ProtoWriter();
        // Build raw by hand (backwards): unknown fields, metadata last, items first.
        w.WriteString(3, "");
        w.WriteString(4, "");
        w.WriteInt64(99, 12345);                                   // unknown varint after raw
        int raw = w.BeginMessage();
        w.WriteBytes(77, new byte[70_000]);                        // unknown large field at the end of raw
        StreamList.Codec.ProtobufCodec.WriteV1ListMeta(w, 1, list.Metadata);
        for (int i = list.Items.Count - 1; i >= 0; i--)
        {
            StreamList.Codec.ProtobufCodec.WriteV1Pod(w, 2, list.Items[i]);
            if (i == 2)
                w.WriteDouble(50, 1.5);                            // unknown fixed64 between items
        }
        w.WriteFloat(51, 2.5f);                                    // unknown fixed32 first in raw
        w.EndMessage(2, raw);
        int typeMeta = w.BeginMessage();
        w.WriteString(2, "PodList");
        w.WriteString(1, "v1");
        w.EndMessage(1, typeMeta);
        w.WriteBytes(15, new byte[100]);                           // unknown field before typeMeta
        w.WriteRaw(Envelope.Magic);
        var body = w.ToArray();

        foreach (var reader in new[] { SplitPipe.From(body), SplitPipe.From(body, 5, 17, 200, 1000, 50_000) })
        {
            var (items, progress) = await ReadAll(reader);
            Assert.Equal(Expected(list), Json(items));
            Assert.Equal("900", progress.Metadata?.ResourceVersion);
            Assert.True(progress.Complete);
        }
    }

    [Fact]
    public async Task An_item_over_the_limit_fails_as_soon_as_its_length_arrives()
    {
        var body = KubernetesProtobuf.Encode(SmallObjects.PodList(3));
        var pipe = new Pipe();
        // Everything up to and including the first item's length, and nothing after: the writer stays open.
        await pipe.Writer.WriteAsync(body.AsMemory(0, 60));
        var progress = new ListProgress();
        var e = await Assert.ThrowsAsync<KubernetesWireException>(async () =>
        {
            await foreach (var _ in ProtobufListReader.ReadAsync<V1Pod>(pipe.Reader, progress, Options with { MaxMessageBytes = 50 }, CancellationToken.None))
            {
            }
        });
        Assert.Equal(WireErrorKind.MessageTooLarge, e.Kind);
        Assert.Contains("items[0]", e.FieldPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_body_throws_the_typed_exception()
    {
        var status = new V1Status { Code = 410, Reason = "Expired", Message = "too old resource version", Status = "Failure" };
        var e = await Assert.ThrowsAsync<ResourceExpiredException>(() => ReadAll(SplitPipe.From(KubernetesProtobuf.Encode(status))));
        Assert.Equal(410, e.Code);
    }

    [Fact]
    public async Task Another_list_kind_is_rejected()
    {
        var other = new V1ConfigMapList { Metadata = new V1ListMeta(), Items = [new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }] };
        var e = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAll(SplitPipe.From(KubernetesProtobuf.Encode(other))));
        Assert.Equal(WireErrorKind.UnexpectedKind, e.Kind);
    }

    [Fact]
    public async Task A_reset_connection_propagates_and_the_list_is_not_complete()
    {
        var body = KubernetesProtobuf.Encode(SmallObjects.PodList(3));
        var progress = new ListProgress();
        var items = new List<V1Pod>();
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var pod in ProtobufListReader.ReadAsync<V1Pod>(SplitPipe.From(body.AsMemory(0, body.Length / 2), [], new IOException("reset")), progress, Options, CancellationToken.None))
                items.Add(pod);
        });
        Assert.False(progress.Complete);
    }

    [Fact]
    public async Task Bad_item_bytes_name_the_item_in_the_path()
    {
        var list = SmallObjects.PodList(3);
        list.Items[1].Metadata.Name = "XXXX";
        var body = KubernetesProtobuf.Encode(list);
        // Turn the second item's name field (0a 04 "XXXX") into a wrong wire type for metadata.name (field 1, varint).
        int at = body.AsSpan().IndexOf("XXXX"u8) - 2;
        body[at] = 0x08;
        var e = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAll(SplitPipe.From(body)));
        Assert.Equal(WireErrorKind.WrongWireType, e.Kind);
        Assert.StartsWith("items[1].metadata", e.FieldPath, StringComparison.Ordinal);
    }
}
