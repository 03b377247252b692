using k8s;
using k8s.Models;
using StreamList.Codec;
using StreamList.Informers;
using StreamList.Testing.Fixture;
using StreamList.Tests.Support;
using StreamList.Wire;

namespace StreamList.Tests.Codec;

/// <summary>
/// <see cref="DecodeOptions.DeferManagedFields"/> (what a compact store's reads use): an object
/// decodes to exactly what it decodes to eagerly, re-encodes to the same bytes, and its managedFields
/// are decoded only when an element is first asked for. Bytes that do not decode fail that access
/// with the error an eager decode reports (kind, offset, path, reason), changed or cut at every byte.
/// </summary>
public class DeferredManagedFieldsTests
{
    private static readonly DecodeOptions Deferring = DecodeOptions.Default with { DeferManagedFields = true };

    public static TheoryData<string> Names => Fixtures.All();

    private static IList<V1ManagedFieldsEntry>? ManagedFields(object obj) =>
        obj is IMetadata<V1ObjectMeta> { Metadata: { } m } ? m.ManagedFields : null;

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_real_fixture_decodes_and_re_encodes_as_it_does_eagerly(string name)
    {
        var pb = Fixtures.Protobuf(name);
        var type = Schemas.FixtureType(name);
        var eager = KubernetesProtobuf.Decode(pb, type);
        var deferred = KubernetesProtobuf.Decode(pb, type, Deferring);
        if (ManagedFields(deferred) is { } fields)
        {
            var list = Assert.IsType<DeferredManagedFields>(fields);
            Assert.Equal(ManagedFields(eager)!.Count, list.Count);
            Assert.False(list.IsDecoded);
        }
        Assert.Equal(KubernetesJsonUtil.Serialize(eager), KubernetesJsonUtil.Serialize(deferred));
        Assert.Equal(KubernetesProtobuf.Encode(eager), KubernetesProtobuf.Encode(deferred));
    }

    [Fact]
    public void The_real_fixtures_carry_managedFields_so_the_theory_above_defers_some()
    {
        int deferred = Fixtures.Names().Count(n =>
            ManagedFields(KubernetesProtobuf.Decode(Fixtures.Protobuf(n), Schemas.FixtureType(n), Deferring)) is DeferredManagedFields);
        Assert.True(deferred > 10, $"only {deferred} fixtures deferred managedFields");
    }

    [Fact]
    public void Only_an_objects_own_metadata_defers_and_a_list_decodes_every_item_eagerly()
    {
        var pod = KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(PodFixture.Create(3, 0)), Deferring);
        Assert.IsType<DeferredManagedFields>(pod.Metadata.ManagedFields);

        var template = new V1PodTemplate { ApiVersion = "v1", Kind = "PodTemplate", Metadata = new V1ObjectMeta { Name = "t" },
            Template = new V1PodTemplateSpec { Metadata = PodFixture.Create(3, 0).Metadata } };
        var decoded = KubernetesProtobuf.Decode<V1PodTemplate>(KubernetesProtobuf.Encode(template), Deferring);
        Assert.IsNotType<DeferredManagedFields>(decoded.Template.Metadata.ManagedFields); // a template's metadata is not the object's
        Assert.Equal(3, decoded.Template.Metadata.ManagedFields.Count);
    }

    [Fact]
    public void The_list_is_read_only_and_counts_without_decoding()
    {
        var pod = KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(PodFixture.Create(3, 1)), Deferring);
        var list = Assert.IsType<DeferredManagedFields>(pod.Metadata.ManagedFields);
        Assert.Equal(3, list.Count);
        Assert.True(list.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => list.Add(new V1ManagedFieldsEntry()));
        Assert.Throws<NotSupportedException>(() => list.Clear());
        Assert.Throws<NotSupportedException>(() => list[0] = new V1ManagedFieldsEntry());
        Assert.False(list.IsDecoded);
        Assert.Equal("kube-controller-manager", list[0].Manager);
        Assert.True(list.IsDecoded);
        Assert.Same(list[0], list.First()); // decoded once, kept
        Assert.Same(list, KubernetesObjects.Freeze(pod).Metadata.ManagedFields);
    }

    [Fact]
    public async Task Threads_that_race_to_the_first_access_all_see_one_decode()
    {
        for (int i = 0; i < 50; i++)
        {
            var pod = KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(PodFixture.Create(5, i)), Deferring);
            var list = pod.Metadata.ManagedFields;
            using var start = new Barrier(2);
            var reads = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return list.ToArray();
            })));
            Assert.Equal(3, reads[0].Length);
            for (int k = 0; k < 3; k++)
                Assert.Same(reads[0][k], reads[1][k]);
            Assert.Same(reads[0][0], list[0]);
        }
    }

    /// <summary>What decoding <paramref name="bytes"/> gives (its JSON, or the decode's error), and then what reading every managedFields entry gives.</summary>
    private static (string? Decoded, string? Read) Outcome(byte[] bytes, DecodeOptions options)
    {
        V1Pod pod;
        try
        {
            pod = KubernetesProtobuf.Decode<V1Pod>(bytes, options);
        }
        catch (KubernetesWireException e)
        {
            return (null, Describe(e));
        }
        try
        {
            _ = pod.Metadata?.ManagedFields?.ToArray();
            return (KubernetesJsonUtil.Serialize(pod), null);
        }
        catch (KubernetesWireException e)
        {
            return ("decoded", Describe(e));
        }

        static string Describe(KubernetesWireException e) => $"{e.Kind} at {e.Offset} in '{e.FieldPath}': {e.Reason}";
    }

    /// <summary>
    /// Deferring changes only when an error inside the entries is found: an object decodes with it
    /// exactly when it decodes without; one that fails only inside its entries decodes, and reading
    /// them fails with the eager decode's error; one that also fails elsewhere fails to decode.
    /// Returns whether the error came from reading the entries.
    /// </summary>
    private static bool AssertDefersOnlyTheEntries(byte[] bytes, DecodeOptions options)
    {
        var (eager, eagerError) = Outcome(bytes, options);
        var (deferred, deferredError) = Outcome(bytes, options with { DeferManagedFields = true });
        if (eager is not null)
        {
            Assert.Equal((eager, (string?)null), (deferred, deferredError));
            return false;
        }
        Assert.NotNull(deferredError);
        if (deferred is null)
            return false;
        Assert.Equal(eagerError, deferredError);
        return true;
    }

    /// <summary>The real pod (enveloped), and where its managedFields lie: from the first entry's tag to the last one's end.</summary>
    private static (byte[] Bytes, int Start, int End) RealPod()
    {
        var bytes = Fixtures.Protobuf("core.v1.Pod");
        var message = ProtoBytes.Open(bytes).Raw;
        int offset = bytes.AsSpan().IndexOf(message); // the message body inside the envelope
        var r = new ProtoReader(message);
        int start = -1, end = -1;
        while (r.TryReadTag(out uint tag))
        {
            if (tag != ((1 << 3) | (uint)WireType.LengthDelimited))
            {
                r.SkipField(tag);
                continue;
            }
            int saved = r.EnterMessage();
            int at = r.Position;
            while (r.TryReadTag(out uint field))
            {
                r.SkipField(field);
                if (field >> 3 == 17)
                {
                    start = start < 0 ? offset + at : start;
                    end = offset + r.Position;
                }
                at = r.Position;
            }
            r.ExitMessage(saved);
        }
        Assert.True(start > 0 && end - start > 100, "the real pod has managedFields");
        return (bytes, start, end);
    }

    [Fact]
    public void Every_byte_of_the_managedFields_changed_fails_or_decodes_as_an_eager_decode_does()
    {
        var (bytes, start, end) = RealPod();
        int failedOnRead = 0;
        foreach (byte value in new byte[] { 0x00, 0x7F, 0xFF, (byte)'"' })
        {
            for (int at = start; at < end; at++)
            {
                var changed = (byte[])bytes.Clone();
                if (changed[at] == value)
                    continue;
                changed[at] = value;
                failedOnRead += AssertDefersOnlyTheEntries(changed, DecodeOptions.Default) ? 1 : 0;
            }
        }
        Assert.True(failedOnRead > 50, $"only {failedOnRead} changes failed on reading the entries");
    }

    [Fact]
    public void Cut_at_every_byte_the_pod_fails_exactly_as_an_eager_decode()
    {
        var (bytes, _, _) = RealPod();
        for (int length = 0; length < bytes.Length; length++)
        {
            var cut = bytes[..length];
            Assert.Equal(Outcome(cut, DecodeOptions.Default), Outcome(cut, Deferring));
        }
    }

    [Fact]
    public void A_depth_limit_only_the_entries_exceed_fails_their_read_as_it_fails_an_eager_decode()
    {
        var pod = new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = PodFixture.Create(3, 2).Metadata };
        var bytes = KubernetesProtobuf.Encode(pod); // metadata alone: nothing else nests as deep as an entry's time
        Assert.True(AssertDefersOnlyTheEntries(bytes, DecodeOptions.Default with { MaxDepth = 2 }));
        Assert.Contains("TooDeep", Outcome(bytes, DecodeOptions.Default with { MaxDepth = 2 }).Read, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compact_store_reads_objects_whose_managedFields_wait_until_asked_for()
    {
        var store = new InformerStore<V1Pod>(StoreMode.Compact, null, null);
        var pod = PodFixture.Create(9, 0);
        store.Upsert(pod);
        var read = store.Get(ObjectKey.For(pod.Metadata))!;
        var list = Assert.IsType<DeferredManagedFields>(read.Metadata.ManagedFields);
        Assert.False(list.IsDecoded);
        Assert.Equal(KubernetesJsonUtil.Serialize(PodFixture.Copy(pod)), KubernetesJsonUtil.Serialize(read));
        Assert.True(list.IsDecoded);
    }
}
