using System.IO.Pipelines;
using System.Text;
using k8s;
using k8s.Models;
using StreamList.Codec;
using StreamList.Http;
using StreamList.Listing;
using StreamList.Testing.Fixture;
using StreamList.Tests.Support;
using StreamList.Watching;
using StreamList.Wire;

namespace StreamList.Tests.Codec;

/// <summary>
/// <see cref="DecodeOptions.SkipManagedFields"/>: an object decodes as if its managedFields had
/// been dropped after a full decode, and the entries are never parsed (a FieldsV1 that is not
/// JSON fails only a decode that keeps them), through the public list and watch body readers, split anywhere.
/// </summary>
public class SkipManagedFieldsTests
{
    private static readonly DecodeOptions Skipping = DecodeOptions.Default with { SkipManagedFields = true };
    private const string ProtobufList = "application/vnd.kubernetes.protobuf";
    private const string ProtobufWatch = "application/vnd.kubernetes.protobuf;stream=watch";

    public static TheoryData<string> Names => Fixtures.All();

    private static string Dropped(object obj)
    {
        if (obj is IMetadata<V1ObjectMeta> { Metadata: { } m })
            m.ManagedFields = null;
        return KubernetesJsonUtil.Serialize(obj);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_real_fixture_decodes_as_if_its_managedFields_were_dropped(string name)
    {
        var pb = Fixtures.Protobuf(name);
        var type = Schemas.FixtureType(name);
        var skipped = KubernetesProtobuf.Decode(pb, type, Skipping);
        Assert.Equal(Dropped(KubernetesProtobuf.Decode(pb, type)), KubernetesJsonUtil.Serialize(skipped));
        if (skipped is IMetadata<V1ObjectMeta> { Metadata: { } m })
            Assert.Null(m.ManagedFields);
    }

    [Fact]
    public void The_real_fixtures_carry_managedFields_so_the_theory_above_skips_something()
    {
        int with = Fixtures.Names().Count(n =>
            KubernetesProtobuf.Decode(Fixtures.Protobuf(n), Schemas.FixtureType(n)) is IMetadata<V1ObjectMeta> { Metadata.ManagedFields.Count: > 0 });
        Assert.True(with > 10, $"only {with} fixtures have managedFields");
    }

    /// <summary>A fixture pod whose kubelet FieldsV1 is not JSON (same length, so no length changes).</summary>
    private static byte[] PodWithBadFieldsV1(out V1Pod pod)
    {
        pod = PodFixture.Create(7, 3);
        var bytes = KubernetesProtobuf.Encode(pod);
        var fields = Encoding.UTF8.GetBytes("\"f:startTime\":{}}}");
        int at = bytes.AsSpan().IndexOf(fields);
        Assert.True(at > 0);
        bytes[at + fields.Length - 1] = (byte)'!';
        return bytes;
    }

    [Fact]
    public void Entries_are_never_parsed_so_a_bad_fieldsV1_fails_only_a_decode_that_keeps_them()
    {
        var bytes = PodWithBadFieldsV1(out var pod);
        var e = Assert.Throws<KubernetesWireException>(() => KubernetesProtobuf.Decode<V1Pod>(bytes));
        Assert.Equal(WireErrorKind.InvalidValue, e.Kind);
        Assert.Contains("managedFields", e.FieldPath, StringComparison.Ordinal);

        var skipped = KubernetesProtobuf.Decode<V1Pod>(bytes, Skipping);
        Assert.Null(skipped.Metadata.ManagedFields);
        Assert.Equal(Dropped(PodFixture.Copy(pod)), KubernetesJsonUtil.Serialize(skipped));
    }

    private static async Task<List<V1Pod>> List(PipeReader body, DecodeOptions options)
    {
        var items = new List<V1Pod>();
        var progress = new ListProgress();
        await foreach (var pod in ListBody.ReadAsync<V1Pod>(body, ProtobufList, progress, options))
            items.Add(pod);
        Assert.True(progress.Complete);
        return items;
    }

    private static string Json(IEnumerable<V1Pod> pods) => KubernetesJson.Serialize(pods.ToList());

    [Fact]
    public async Task A_list_skips_them_in_every_item_at_every_split_point()
    {
        var list = new V1PodList { Metadata = new V1ListMeta { ResourceVersion = "9" }, Items = [PodFixture.Create(1, 0), PodFixture.Create(1, 1)] };
        var body = KubernetesProtobuf.Encode(list);
        string expected = Json((await List(SplitPipe.From(body), DecodeOptions.Default)).Select(p => { p.Metadata.ManagedFields = null; return p; }));
        for (int cut = 0; cut <= body.Length; cut++)
            Assert.Equal(expected, Json(await List(SplitPipe.From(body, cut), Skipping)));
        Assert.Equal(expected, Json(await List(SplitPipe.OneByteAtATime(body), Skipping)));
    }

    [Fact]
    public async Task A_list_cut_at_any_byte_fails_and_is_never_complete()
    {
        var list = new V1PodList { Metadata = new V1ListMeta { ResourceVersion = "9" }, Items = [PodFixture.Create(1, 0)] };
        var body = KubernetesProtobuf.Encode(list);
        for (int length = 0; length < body.Length; length++)
        {
            var progress = new ListProgress();
            var e = await Assert.ThrowsAsync<KubernetesWireException>(async () =>
            {
                await foreach (var _ in ListBody.ReadAsync<V1Pod>(SplitPipe.From(body.AsMemory(0, length)), ProtobufList, progress, Skipping))
                {
                }
            });
            Assert.False(progress.Complete, $"length {length}");
            Assert.True(e.Kind is WireErrorKind.Truncated or WireErrorKind.LengthOutOfRange, $"length {length}: {e.Kind} {e.Message}");
        }
    }

    [Fact]
    public void A_whole_list_decode_skips_them_in_every_item_as_the_streaming_reader_does()
    {
        var list = new V1PodList { Metadata = new V1ListMeta { ResourceVersion = "9" }, Items = [PodFixture.Create(4, 0), PodFixture.Create(4, 1)] };
        var body = KubernetesProtobuf.Encode(list);
        var kept = KubernetesProtobuf.Decode<V1PodList>(body);
        Assert.All(kept.Items, p => Assert.NotEmpty(p.Metadata.ManagedFields));
        var skipped = KubernetesProtobuf.Decode<V1PodList>(body, Skipping);
        Assert.Equal(Json(kept.Items.Select(p => { p.Metadata.ManagedFields = null; return p; })), Json(skipped.Items));
        Assert.Equal("9", skipped.Metadata.ResourceVersion);
    }

    private static async Task<List<WatchEvent<V1Pod>>> Watch(PipeReader body, DecodeOptions options)
    {
        var events = new List<WatchEvent<V1Pod>>();
        await foreach (var e in WatchBody.ReadAsync<V1Pod>(body, ProtobufWatch, options))
            events.Add(e);
        return events;
    }

    [Fact]
    public async Task A_watch_skips_them_in_every_event_at_every_split_point()
    {
        var body = WatchEncoding.EncodeFrame("ADDED", PodFixture.Create(2, 0))
            .Concat(WatchEncoding.EncodeFrame("MODIFIED", PodFixture.Modify(PodFixture.Create(2, 1), 77))).ToArray();
        var full = await Watch(SplitPipe.From(body), DecodeOptions.Default);
        Assert.All(full, e => Assert.NotEmpty(e.Object.Metadata.ManagedFields));
        string expected = Json(full.Select(e => { e.Object.Metadata.ManagedFields = null; return e.Object; }));
        for (int cut = 0; cut <= body.Length; cut++)
        {
            var events = await Watch(SplitPipe.From(body, cut), Skipping);
            Assert.Equal([WatchEventKind.Added, WatchEventKind.Modified], events.Select(e => e.Type));
            Assert.Equal(expected, Json(events.Select(e => e.Object)));
        }
    }

    [Fact]
    public void An_object_inside_a_RawExtension_keeps_them_as_DropManagedFields_would()
    {
        var inner = PodFixture.Create(3, 0);
        var revision = new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta { Name = "r", NamespaceProperty = "default" },
            Data = inner,
            Revision = 1,
        };
        var bytes = KubernetesProtobuf.Encode(revision);
        var decoded = KubernetesProtobuf.Decode<V1ControllerRevision>(bytes, Skipping);
        var pod = Assert.IsType<V1Pod>(decoded.Data);
        Assert.Equal(inner.Metadata.ManagedFields.Count, pod.Metadata.ManagedFields.Count);
        Assert.Equal(inner.Metadata.Name, pod.Metadata.Name);
        Assert.Equal(inner.Spec.Containers.Count, pod.Spec.Containers.Count);
    }
}
