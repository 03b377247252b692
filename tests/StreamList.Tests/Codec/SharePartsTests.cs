using System.IO.Pipelines;
using k8s;
using k8s.Models;
using StreamList.Codec;
using StreamList.Listing;
using StreamList.Testing.Fixture;
using StreamList.Tests.Support;
using StreamList.Wire;

namespace StreamList.Tests.Codec;

/// <summary>
/// <see cref="DecodeOptions.ShareParts"/>: objects decode to exactly what they decode to without it
/// (every real fixture, fixture pods, a list split or cut anywhere, two threads at once); parts that
/// objects repeat byte for byte become one instance; a part is never taken from the cache where its
/// decode would exceed the depth limit; a field that occurs twice never merges into a shared part.
/// The cache is process-wide and other tests fill it too, so a test that needs a part cached decodes
/// until it is (a part is cached on its second sighting), and asserts only on what it decoded itself.
/// </summary>
public class SharePartsTests
{
    private static readonly DecodeOptions Sharing = DecodeOptions.Default with { ShareParts = true };
    private const string ProtobufList = "application/vnd.kubernetes.protobuf";

    public static TheoryData<string> Names => Fixtures.All();

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_real_fixture_decodes_the_same_when_parts_are_shared(string name)
    {
        var pb = Fixtures.Protobuf(name);
        var type = Schemas.FixtureType(name);
        string expected = KubernetesJsonUtil.Serialize(KubernetesProtobuf.Decode(pb, type));
        for (int i = 0; i < 3; i++) // first sighting, cached, taken from the cache
            Assert.Equal(expected, KubernetesJsonUtil.Serialize(KubernetesProtobuf.Decode(pb, type, Sharing)));
    }

    private static V1Pod Decode(byte[] bytes, DecodeOptions? options = null) => KubernetesProtobuf.Decode<V1Pod>(bytes, options);

    /// <summary>Decodes <paramref name="a"/> and <paramref name="b"/> until <paramref name="part"/> of both is one instance; false if it never is.</summary>
    private static bool BecomeShared(byte[] a, byte[] b, Func<V1Pod, object> part, DecodeOptions options)
    {
        for (int i = 0; i < 10; i++)
        {
            if (ReferenceEquals(part(Decode(a, options)), part(Decode(b, options))))
                return true;
        }
        return false;
    }

    [Fact]
    public void Two_pods_repeating_parts_byte_for_byte_share_them_and_keep_their_own()
    {
        var a = PodFixture.Create(11, 0);
        var b = PodFixture.Create(11, 1);
        var bytesA = KubernetesProtobuf.Encode(a);
        var bytesB = KubernetesProtobuf.Encode(b);
        Assert.True(BecomeShared(bytesA, bytesB, p => p.Spec.Tolerations[1], Sharing));
        Assert.True(BecomeShared(bytesA, bytesB, p => p.Spec.SecurityContext, Sharing));
        Assert.True(BecomeShared(bytesA, bytesB, p => p.Spec.Volumes[2].Projected, Sharing)); // kube-api-access: same source, own name

        var pa = Decode(bytesA, Sharing);
        var pb = Decode(bytesB, Sharing);
        Assert.NotSame(pa.Spec.Volumes[2], pb.Spec.Volumes[2]);
        Assert.NotEqual(pa.Spec.Volumes[2].Name, pb.Spec.Volumes[2].Name);
        Assert.Equal(KubernetesJsonUtil.Serialize(PodFixture.Copy(a)), KubernetesJsonUtil.Serialize(pa));
        Assert.Equal(KubernetesJsonUtil.Serialize(PodFixture.Copy(b)), KubernetesJsonUtil.Serialize(pb));
    }

    [Fact]
    public void Without_the_option_every_object_has_parts_of_its_own()
    {
        var bytes = KubernetesProtobuf.Encode(PodFixture.Create(11, 2));
        Assert.False(BecomeShared(bytes, bytes, p => p.Spec.Tolerations[0], DecodeOptions.Default));
        Assert.False(BecomeShared(bytes, bytes, p => p.Spec.Containers[0].Env[0], DecodeOptions.Default));
    }

    [Fact]
    public void Shared_parts_are_frozen_like_every_decoded_collection()
    {
        var bytes = KubernetesProtobuf.Encode(PodFixture.Create(11, 3));
        Assert.True(BecomeShared(bytes, bytes, p => p.Spec.Volumes[2].Projected, Sharing));
        Assert.Throws<NotSupportedException>(() => Decode(bytes, Sharing).Spec.Volumes[2].Projected.Sources.Clear());
        Assert.NotEmpty(Decode(bytes, Sharing).Spec.Volumes[2].Projected.Sources);
    }

    /// <summary>The fixture pod's message with <paramref name="specFields"/> appended as a second spec (protobuf merges it into the first).</summary>
    private static byte[] WithSecondSpec(byte[] enveloped, params byte[][] specFields) =>
        ProtoBytes.Rewrap(enveloped, [.. ProtoBytes.Open(enveloped).Raw, .. ProtoBytes.LenField(2, ProtoBytes.Concat(specFields))]);

    private static byte[] Quantities(int field, string name, string quantity) =>
        ProtoBytes.LenField(field, ProtoBytes.Concat(ProtoBytes.StringField(1, name), ProtoBytes.LenField(2, ProtoBytes.StringField(1, quantity))));

    [Fact]
    public void A_field_that_occurs_twice_merges_into_a_copy_and_leaves_the_shared_part_as_it_was()
    {
        var enveloped = KubernetesProtobuf.Encode(PodFixture.Create(12, 0));
        var merged = WithSecondSpec(enveloped, ProtoBytes.LenField(14, ProtoBytes.VarintField(2, 7))); // securityContext.runAsUser
        Assert.True(BecomeShared(enveloped, enveloped, p => p.Spec.SecurityContext, Sharing));

        var expected = Decode(merged);
        Assert.Equal(7, expected.Spec.SecurityContext.RunAsUser);
        Assert.Equal(2000, expected.Spec.SecurityContext.FsGroup); // protobuf merges the second into the first
        Assert.Equal(KubernetesProtobuf.Encode(expected), KubernetesProtobuf.Encode(Decode(merged, Sharing)));
        Assert.Null(Decode(enveloped, Sharing).Spec.SecurityContext.RunAsUser);
    }

    [Fact]
    public void Merging_into_a_shared_part_keeps_every_value_a_plain_merge_keeps_negative_quantities_included()
    {
        var pod = KubernetesProtobuf.Encode(PodFixture.Create(12, 1));
        var first = WithSecondSpec(pod, ProtoBytes.LenField(40, Quantities(1, "cpu", "-1500m"))); // spec.resources.limits
        var both = ProtoBytes.Rewrap(first, [.. ProtoBytes.Open(first).Raw, .. ProtoBytes.LenField(2, ProtoBytes.LenField(40, Quantities(2, "memory", "1Gi")))]);
        Assert.True(BecomeShared(first, first, p => p.Spec.Resources, Sharing));

        var expected = Decode(both);
        Assert.Equal(KubernetesJsonUtil.Serialize(new ResourceQuantity("-1500m")), KubernetesJsonUtil.Serialize(expected.Spec.Resources.Limits["cpu"]));
        Assert.NotNull(expected.Spec.Resources.Requests["memory"]);
        Assert.Equal(KubernetesProtobuf.Encode(expected), KubernetesProtobuf.Encode(Decode(both, Sharing)));
        Assert.Null(Decode(first, Sharing).Spec.Resources.Requests);
    }

    private static string Outcome(Func<object> decode)
    {
        try
        {
            return KubernetesJsonUtil.Serialize(decode());
        }
        catch (KubernetesWireException e)
        {
            return $"{e.Kind} at {e.Offset} in {e.FieldPath}: {e.Reason}";
        }
    }

    [Fact]
    public void A_part_is_never_taken_from_the_cache_where_its_decode_would_exceed_the_depth_limit()
    {
        var bytes = KubernetesProtobuf.Encode(PodFixture.Create(13, 0));
        Assert.True(BecomeShared(bytes, bytes, p => p.Spec.Containers[0].LivenessProbe, Sharing));
        for (int depth = 1; depth <= 8; depth++)
        {
            var limited = DecodeOptions.Default with { MaxDepth = depth };
            Assert.Equal(Outcome(() => Decode(bytes, limited)), Outcome(() => Decode(bytes, limited with { ShareParts = true })));
        }
    }

    [Fact]
    public void Nesting_a_part_reached_through_unknown_groups_counts_where_it_is_taken()
    {
        // A toleration carrying an unknown group nested 20 deep: cached from a decode with room for it,
        // then decoded with less room, where a plain decode fails.
        byte[] group = [];
        for (int i = 0; i < 20; i++)
            group = ProtoBytes.Group(99, group);
        var toleration = ProtoBytes.LenField(22, ProtoBytes.Concat(ProtoBytes.StringField(1, "deep-groups.example.com"), group));
        var pod = WithSecondSpec(KubernetesProtobuf.Encode(PodFixture.Create(13, 1)), toleration);
        Assert.True(BecomeShared(pod, pod, p => p.Spec.Tolerations[^1], Sharing));
        for (int depth = 18; depth <= 26; depth++)
        {
            var limited = DecodeOptions.Default with { MaxDepth = depth };
            Assert.Equal(Outcome(() => Decode(pod, limited)), Outcome(() => Decode(pod, limited with { ShareParts = true })));
        }
        Assert.StartsWith("TooDeep", Outcome(() => Decode(pod, DecodeOptions.Default with { MaxDepth = 18, ShareParts = true })), StringComparison.Ordinal);
    }

    private static async Task<string> ListOutcome(PipeReader body, DecodeOptions options)
    {
        var items = new List<V1Pod>();
        var progress = new ListProgress();
        try
        {
            await foreach (var pod in ListBody.ReadAsync<V1Pod>(body, ProtobufList, progress, options))
                items.Add(pod);
        }
        catch (KubernetesWireException e)
        {
            return $"{e.Kind} at {e.Offset} in {e.FieldPath}: {e.Reason}; complete {progress.Complete}";
        }
        return KubernetesJson.Serialize(items) + $"; complete {progress.Complete}";
    }

    [Fact]
    public async Task A_list_split_or_cut_at_any_byte_reads_exactly_as_without_sharing()
    {
        var list = new V1PodList { Metadata = new V1ListMeta { ResourceVersion = "9" }, Items = [PodFixture.Create(14, 0), PodFixture.Create(14, 1), PodFixture.Create(14, 2)] };
        var body = KubernetesProtobuf.Encode(list);
        string whole = await ListOutcome(SplitPipe.From(body), DecodeOptions.Default);
        Assert.EndsWith("complete True", whole, StringComparison.Ordinal);
        for (int cut = 0; cut <= body.Length; cut++)
            Assert.Equal(whole, await ListOutcome(SplitPipe.From(body, cut), Sharing));
        for (int length = 0; length < body.Length; length++)
        {
            var memory = body.AsMemory(0, length);
            string cutShort = await ListOutcome(SplitPipe.From(memory), DecodeOptions.Default);
            Assert.EndsWith("complete False", cutShort, StringComparison.Ordinal);
            Assert.Equal(cutShort, await ListOutcome(SplitPipe.From(memory), Sharing));
        }
    }

    [Fact]
    public async Task Two_threads_decoding_the_same_pods_with_sharing_get_every_object_exactly()
    {
        var pods = Enumerable.Range(0, 8).Select(i => PodFixture.Create(15, i)).ToArray();
        var bytes = pods.Select(p => KubernetesProtobuf.Encode(p)).ToArray();
        var expected = pods.Select(p => KubernetesJsonUtil.Serialize(PodFixture.Copy(p))).ToArray();
        var workers = Enumerable.Range(0, 2).Select(worker => Task.Run(() =>
        {
            int wrong = 0;
            for (int i = 0; i < 400; i++)
            {
                int n = (i * 3 + worker) % bytes.Length;
                if (KubernetesJsonUtil.Serialize(Decode(bytes[n], Sharing)) != expected[n])
                    wrong++;
            }
            return wrong;
        }));
        int[] wrong = await Task.WhenAll(workers);
        Assert.Equal(new[] { 0, 0 }, wrong);
    }
}
