namespace StreamList.Benchmarks;

/// <summary>
/// Many distinct fixture pods (docs/fixture.md, seed 1), only in the encodings the decoders read:
/// enveloped protobuf, the bare message and KubernetesClient's JSON. Kept lean (no decoded pods
/// held) so that the benchmark's live heap stays small beside what it times.
///
/// Contract: every pod is checked through <see cref="PodSamples"/> (all decoders give back the
/// pod) before it joins, so a benchmark never times a decoder that silently does less work.
/// </summary>
internal sealed class PodPopulation
{
    private const int Chunk = 1_000;

    private PodPopulation(int count)
    {
        Enveloped = new byte[count][];
        Messages = new byte[count][];
        Json = new string[count];
    }

    /// <summary><c>KubernetesProtobuf.Encode(pod)</c> of each pod.</summary>
    public byte[][] Enveloped { get; }

    /// <summary>The bare <c>k8s.io.api.core.v1.Pod</c> message of each pod.</summary>
    public byte[][] Messages { get; }

    /// <summary><c>KubernetesJson.Serialize(pod)</c> of each pod.</summary>
    public string[] Json { get; }

    /// <summary>Pods 0..count-1, made and checked a chunk at a time.</summary>
    public static PodPopulation Create(int count)
    {
        var population = new PodPopulation(count);
        for (int first = 0; first < count; first += Chunk)
        {
            int n = Math.Min(Chunk, count - first);
            var samples = PodSamples.Make(n, first);
            samples.VerifyAll();
            samples.Enveloped.CopyTo(population.Enveloped, first);
            samples.Messages.CopyTo(population.Messages, first);
            samples.Json.CopyTo(population.Json, first);
        }
        return population;
    }
}
