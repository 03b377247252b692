using StreamList.Memory;
using StreamList.Tests.Support;
using StreamList.Codec;

namespace StreamList.Tests.Codec;

/// <summary>
/// Decoded objects own their data (wire.md, "Known memory traps"): once decoded, nothing in the
/// object refers to the input buffer, so overwriting it (as a pool or a network buffer would)
/// changes nothing, with or without a string pool.
/// </summary>
public class OwnershipTests
{
    public static TheoryData<string> Names => Fixtures.All();

    private static void AssertOwnsItsData(string name, DecodeOptions? options)
    {
        var type = Schemas.FixtureType(name);
        var buffer = Fixtures.Protobuf(name);
        var fromArray = KubernetesProtobuf.Decode(buffer, type, options);
        // The sequence overload (untyped, so only for envelopes that name their kind), over the same buffer.
        var fromSegments = ProtoBytes.Open(buffer).Kind.Length > 0
            ? KubernetesProtobuf.Decode(Sequences.FromPieces([buffer.AsMemory(0, buffer.Length / 2), buffer.AsMemory(buffer.Length / 2)]), options)
            : null;
        string before = KubernetesJsonUtil.Serialize(fromArray);
        string? segmentsBefore = fromSegments is null ? null : KubernetesJsonUtil.Serialize(fromSegments);

        new Random(name.Length).NextBytes(buffer);
        Assert.Equal(before, KubernetesJsonUtil.Serialize(fromArray));
        buffer.AsSpan().Fill(0xFF);
        Assert.Equal(before, KubernetesJsonUtil.Serialize(fromArray));
        if (fromSegments is not null)
            Assert.Equal(segmentsBefore, KubernetesJsonUtil.Serialize(fromSegments));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decoded_object_survives_its_buffer_being_overwritten(string name) => AssertOwnsItsData(name, null);

    [Theory]
    [MemberData(nameof(Names))]
    public void Decoded_object_with_a_string_pool_survives_its_buffer_being_overwritten(string name) =>
        AssertOwnsItsData(name, new DecodeOptions { Strings = new Utf8StringPool(capacity: 1024) });

    [Fact]
    public void Object_embedded_in_a_watch_event_survives_its_buffer_being_overwritten()
    {
        // RawExtension holding an enveloped object (decoded) and one holding JSON (a JsonElement).
        var pod = Fixtures.Protobuf("core.v1.Pod");
        var buffer = ProtoBytes.Envelope("v1", "WatchEvent", ProtoBytes.Concat(ProtoBytes.StringField(1, "ADDED"), ProtoBytes.LenField(2, ProtoBytes.LenField(1, pod))));
        var json = Fixtures.Protobuf("core.v1.WatchEvent");
        foreach (var b in new[] { buffer, json })
        {
            var pool = new Utf8StringPool(capacity: 1024);
            var evt = KubernetesProtobuf.Decode<k8s.Models.V1WatchEvent>(b, new DecodeOptions { Strings = pool });
            string before = KubernetesJsonUtil.Serialize(evt);
            b.AsSpan().Fill(0x2A);
            Assert.Equal(before, KubernetesJsonUtil.Serialize(evt));
        }
    }
}
