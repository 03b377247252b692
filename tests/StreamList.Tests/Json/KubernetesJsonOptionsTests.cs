using System.Buffers;
using System.Reflection;
using System.Text.Json;
using k8s;
using k8s.Models;
using StreamList.Json;
using static StreamList.Tests.Json.JsonTestData;

namespace StreamList.Tests.Json;

/// <summary>
/// The JSON layer decodes with KubernetesClient's own serializer options. These tests pin down
/// that <c>KubernetesJson.AddJsonOptions</c> hands out the live options object (not a copy), so a
/// KubernetesClient upgrade that changes this is caught here.
/// </summary>
public class KubernetesJsonOptionsTests
{
    [Fact]
    public void The_captured_options_are_KubernetesClient_s_live_options_object()
    {
        var field = typeof(KubernetesJson).GetField("JsonSerializerOptions", BindingFlags.NonPublic | BindingFlags.Static);
        Assert.NotNull(field);
        Assert.Same(field.GetValue(null), KubernetesJsonOptions.Options);

        JsonSerializerOptions? handedOut = null;
        KubernetesJson.AddJsonOptions(o => handedOut = o);
        Assert.Same(KubernetesJsonOptions.Options, handedOut);
    }

    [Fact]
    public void The_options_carry_KubernetesClient_s_converters_and_naming()
    {
        var options = KubernetesJsonOptions.Options;

        Assert.Same(JsonNamingPolicy.CamelCase, options.PropertyNamingPolicy);
        Assert.Contains(options.Converters, c => c is KubernetesJson.KubernetesDateTimeConverter);
        Assert.Contains(options.Converters, c => c is V1Status.V1StatusObjectViewConverter);
    }

    [Fact]
    public void Decoding_matches_KubernetesJson_Deserialize()
    {
        foreach (string name in new[] { "core.v1.Pod", "core.v1.Node", "apps.v1.Deployment", "core.v1.Service" })
        {
            string json = Fixtures.Json(name);
            var type = typeof(V1Pod).Assembly.GetType("k8s.Models.V1" + name.Split('.')[^1])!;
            object expected = KubernetesJsonUtil.Deserialize(json, type);

            var decode = typeof(JsonValueDecoder).GetMethod(nameof(JsonValueDecoder.Decode))!.MakeGenericMethod(type);
            // With and without a string pool (the interning converter must not change a value).
            foreach (var strings in new[] { null, new StreamList.Memory.Utf8StringPool() })
            {
                object actual = decode.Invoke(null, [new ReadOnlySequence<byte>(Utf8(json)), 0L, "", -1L, 64, strings])!;
                Assert.Equal(KubernetesJsonUtil.Serialize(expected), KubernetesJsonUtil.Serialize(actual));
            }
        }
    }
}
