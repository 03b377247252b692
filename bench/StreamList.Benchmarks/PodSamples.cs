using System.Text;
using Google.Protobuf;
using k8s;
using k8s.Models;
using StreamList.Testing.Fixture;
using StreamList.Wire;
using GooglePod = K8S.Io.Api.Core.V1.Pod;
using StreamList.Codec;

namespace StreamList.Benchmarks;

/// <summary>
/// The inputs the codec benchmarks share: the same fixture pods (docs/fixture.md, seed 1) in every
/// encoding a benchmark reads or writes, made once in a benchmark's global setup.
///
/// Contract: <see cref="Create"/> checks that every decoder being compared gives back the pod
/// it was given, so a benchmark never times a decoder that silently does less work; a mismatch
/// throws and the benchmark fails.
/// </summary>
internal sealed class PodSamples
{
    /// <summary>The fixture seed every benchmark uses.</summary>
    public const int Seed = 1;

    private PodSamples(int count)
    {
        Pods = new V1Pod[count];
        Enveloped = new byte[count][];
        Messages = new byte[count][];
        Json = new string[count];
        JsonUtf8 = new byte[count][];
        GooglePods = new GooglePod[count];
    }

    /// <summary>The fixture pods, <c>PodFixture.Create(Seed, i)</c>.</summary>
    public V1Pod[] Pods { get; }

    /// <summary><c>KubernetesProtobuf.Encode(pod)</c>: magic, envelope, message (what a GET returns).</summary>
    public byte[][] Enveloped { get; }

    /// <summary>The envelope's raw: the bare <c>k8s.io.api.core.v1.Pod</c> message (what a list item holds).</summary>
    public byte[][] Messages { get; }

    /// <summary><c>KubernetesJson.Serialize(pod)</c>.</summary>
    public string[] Json { get; }

    /// <summary>The same JSON as UTF-8 bytes (what comes off the wire).</summary>
    public byte[][] JsonUtf8 { get; }

    /// <summary><c>Pod.Parser.ParseFrom(message)</c> with protoc's generated classes.</summary>
    public GooglePod[] GooglePods { get; }

    /// <summary>Makes pods 0..count-1 in every encoding and checks each decoder against the JSON.</summary>
    public static PodSamples Create(int count)
    {
        var s = Make(count, firstIndex: 0);
        s.VerifyAll();
        return s;
    }

    /// <summary>
    /// Pods firstIndex.. in every encoding, not yet checked: a caller timing the first decode of
    /// pods the process has never seen checks them afterwards with <see cref="VerifyAll"/>
    /// (checking decodes them, which would warm StreamList's shared caches before the timing).
    /// </summary>
    public static PodSamples Make(int count, int firstIndex)
    {
        var s = new PodSamples(count);
        for (int i = 0; i < count; i++)
        {
            var pod = PodFixture.Create(Seed, firstIndex + i);
            s.Pods[i] = pod;
            s.Enveloped[i] = KubernetesProtobuf.Encode(pod);
            s.Messages[i] = ListEncoding.EncodeMessage(pod);
            s.Json[i] = KubernetesJson.Serialize(pod);
            s.JsonUtf8[i] = Encoding.UTF8.GetBytes(s.Json[i]);
            s.GooglePods[i] = GooglePod.Parser.ParseFrom(s.Messages[i]);
        }
        return s;
    }

    /// <summary>Checks every decoder against every pod's JSON; throws on a mismatch.</summary>
    public void VerifyAll()
    {
        for (int i = 0; i < Pods.Length; i++)
            Verify(i);
    }

    private void Verify(int i)
    {
        string expected = Json[i];
        Check(i, "StreamList decode", KubernetesJson.Serialize(KubernetesProtobuf.Decode<V1Pod>(Enveloped[i])), expected);
        Check(i, "KubernetesJson decode", KubernetesJson.Serialize(KubernetesJson.Deserialize<V1Pod>(expected)), expected);
        // Google.Protobuf keeps unknown fields and proto2 presence, so its re-encoding must be the
        // apiserver's bytes exactly: proof that it parsed the whole message, not a prefix.
        if (!GooglePods[i].ToByteArray().AsSpan().SequenceEqual(Messages[i]))
            throw new InvalidOperationException($"pod {i}: Google.Protobuf re-encodes the message differently");
    }

    private static void Check(int i, string what, string actual, string expected)
    {
        if (actual != expected)
            throw new InvalidOperationException($"pod {i}: {what} does not give back the fixture pod (JSON differs)");
    }
}
