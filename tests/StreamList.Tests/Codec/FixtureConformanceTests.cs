using k8s;
using StreamList.Codec;
using StreamList.Tests.Support;
using StreamList.Wire;

namespace StreamList.Tests.Codec;

/// <summary>
/// Every real protobuf fixture decodes to what KubernetesClient's JSON decode of the matching
/// .json gives (compared as KubernetesClient serializes both), and re-encodes byte for byte.
/// </summary>
public class FixtureConformanceTests
{
    public static TheoryData<string> Names => Fixtures.All();

    [Theory]
    [MemberData(nameof(Names))]
    public void Decode_equals_KubernetesClient_json_decode(string name)
    {
        var pb = Fixtures.Protobuf(name);
        var type = Schemas.FixtureType(name);
        var ours = KubernetesProtobuf.Decode(pb, type);
        var theirs = KubernetesJsonUtil.Deserialize(Fixtures.Json(name), type);
        Assert.Equal(KubernetesJsonUtil.Serialize(theirs), KubernetesJsonUtil.Serialize(ours));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Reencode_is_byte_identical(string name)
    {
        var pb = Fixtures.Protobuf(name);
        var header = Envelope.Read(pb);
        var obj = KubernetesProtobuf.Decode(pb, Schemas.FixtureType(name));
        var w = new ProtoWriter();
        KubernetesProtobuf.Write(w, obj, header.ApiVersion, header.Kind);
        var again = w.ToArray();
        if (!pb.AsSpan().SequenceEqual(again))
        {
            int i = pb.AsSpan().CommonPrefixLength(again);
            Assert.Fail($"{name}: re-encoding differs at byte {i} of {pb.Length} (ours {again.Length} bytes)\n" +
                $"  original: {Convert.ToHexString(pb.AsSpan(Math.Max(0, i - 16), Math.Min(48, pb.Length - Math.Max(0, i - 16))))}\n" +
                $"  ours:     {Convert.ToHexString(again.AsSpan(Math.Max(0, i - 16), Math.Min(48, again.Length - Math.Max(0, i - 16))))}");
        }
    }
}
