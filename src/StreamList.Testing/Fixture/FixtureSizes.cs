using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using k8s;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Testing.Fixture;

/// <summary>What <see cref="FixtureSizes.Measure"/> found for the first <see cref="Pods"/> pods of a seed.</summary>
/// <param name="Seed">The fixture seed.</param>
/// <param name="Pods">How many pods (indexes 0..Pods-1) were measured.</param>
/// <param name="ProtobufBytesPerPod">Mean bytes one pod takes as a protobuf list item (tag, length, message).</param>
/// <param name="MinProtobufBytes">Smallest protobuf list item.</param>
/// <param name="MaxProtobufBytes">Largest protobuf list item.</param>
/// <param name="JsonBytesPerPod">Mean UTF-8 bytes of KubernetesClient's JSON of one pod.</param>
/// <param name="ManagedFieldsBytesPerPod">Mean fieldsV1 JSON bytes over the three managedFields entries.</param>
/// <param name="GenerateMicrosecondsPerPod">Mean time <see cref="PodFixture.Create"/> took on one thread, after a warm-up pass (a rough figure: measure with thousands of pods).</param>
public sealed record FixtureSizeReport(
    int Seed,
    int Pods,
    double ProtobufBytesPerPod,
    int MinProtobufBytes,
    int MaxProtobufBytes,
    double JsonBytesPerPod,
    double ManagedFieldsBytesPerPod,
    double GenerateMicrosecondsPerPod)
{
    /// <summary>JSON bytes per protobuf byte.</summary>
    public double JsonToProtobufRatio => ProtobufBytesPerPod == 0 ? 0 : JsonBytesPerPod / ProtobufBytesPerPod;

    /// <summary>One JSON line, as the project reports measurements.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"mode\":\"fixture-sizes\",\"seed\":{Seed},\"pods\":{Pods},\"protobufBytesPerPod\":{ProtobufBytesPerPod:F1},\"minProtobufBytes\":{MinProtobufBytes},\"maxProtobufBytes\":{MaxProtobufBytes},\"jsonBytesPerPod\":{JsonBytesPerPod:F1},\"jsonToProtobuf\":{JsonToProtobufRatio:F2},\"managedFieldsBytesPerPod\":{ManagedFieldsBytesPerPod:F1},\"generateMicrosPerPod\":{GenerateMicrosecondsPerPod:F2}}}");
}

/// <summary>Measures the fixture: bytes per pod in protobuf and JSON, and the time to make a pod.</summary>
public static class FixtureSizes
{
    /// <summary>Makes pods 0..<paramref name="count"/>-1 of <paramref name="seed"/> (one at a time) and measures them.</summary>
    public static FixtureSizeReport Measure(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        long protobuf = 0, json = 0, fields = 0;
        int min = int.MaxValue, max = 0;
        for (int i = 0; i < count; i++)
        {
            var pod = PodFixture.Create(seed, i);
            int item = (int)ListEncoding.ItemFieldSize(ListEncoding.EncodeMessage(pod).Length);
            protobuf += item;
            min = Math.Min(min, item);
            max = Math.Max(max, item);
            json += Encoding.UTF8.GetByteCount(KubernetesJson.Serialize(pod));
            foreach (var entry in pod.Metadata.ManagedFields)
                fields += entry.FieldsV1 is JsonElement e ? e.GetRawText().Length : 0;
        }

        // Timed after the size pass, which has warmed the generator up (JIT tiering).
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
            _ = PodFixture.Create(seed, i);
        double micros = clock.Elapsed.TotalMicroseconds / count;
        return new FixtureSizeReport(seed, count, (double)protobuf / count, min, max, (double)json / count, (double)fields / count, micros);
    }
}
