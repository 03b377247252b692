using System.IO.Pipelines;
using System.Text;
using k8s;
using k8s.Models;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Testing.Fixture;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Tests.Listing;

/// <summary>The public entry point for list bodies the caller already holds: dispatch by Content-Type.</summary>
public class ListBodyTests
{
    private static V1PodList FixtureList(int n) => new()
    {
        Metadata = new V1ListMeta { ResourceVersion = "4242" },
        Items = Enumerable.Range(0, n).Select(i =>
        {
            var pod = PodFixture.Create(1, i);
            pod.ApiVersion = null; // list items carry no TypeMeta, as in the apiserver's lists
            pod.Kind = null;
            return pod;
        }).ToList(),
    };

    private static async Task<(List<V1Pod> Items, ListProgress Progress)> Read(byte[] body, string contentType, DecodeOptions? options = null)
    {
        var progress = new ListProgress();
        var items = new List<V1Pod>();
        var reader = PipeReader.Create(new MemoryStream(body), new StreamPipeReaderOptions(bufferSize: 4096));
        await foreach (var pod in ListBody.ReadAsync<V1Pod>(reader, contentType, progress, options))
            items.Add(pod);
        await reader.CompleteAsync();
        return (items, progress);
    }

    [Fact]
    public async Task Protobuf_and_json_bodies_give_the_same_pods()
    {
        var list = FixtureList(20);
        var (fromProtobuf, p1) = await Read(KubernetesProtobuf.Encode(list), "application/vnd.kubernetes.protobuf");
        var (fromJson, p2) = await Read(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(list)), "application/json; charset=utf-8");

        Assert.True(p1.Complete);
        Assert.True(p2.Complete);
        Assert.Equal("4242", p1.Metadata?.ResourceVersion);
        Assert.Equal("4242", p2.Metadata?.ResourceVersion);
        Assert.Equal(list.Items.Select(p => p.Uid()), fromProtobuf.Select(p => p.Uid()));
        // Fixture pods survive both encodings whole: the same JSON either way.
        Assert.Equal(KubernetesJson.Serialize(fromJson), KubernetesJson.Serialize(fromProtobuf));
    }

    [Fact]
    public async Task Json_items_share_repeated_strings_through_the_pool_and_decode_the_same()
    {
        var list = FixtureList(40);
        byte[] json = Encoding.UTF8.GetBytes(KubernetesJson.Serialize(list));
        var pool = new Utf8StringPool();
        var (pooled, _) = await Read(json, "application/json", new DecodeOptions { Strings = pool });
        var (fresh, _) = await Read(json, "application/json", DecodeOptions.NoInterning);

        Assert.Equal(KubernetesJson.Serialize(fresh), KubernetesJson.Serialize(pooled));
        // The pool admits a value on its second sighting, so sharing shows from the third on:
        // every pod has a "config" volume and an "app" label.
        Assert.Same(pooled[10].Spec.Volumes[0].Name, pooled[11].Spec.Volumes[0].Name);
        Assert.Same(pooled[10].Labels().Keys.First(k => k == "app"), pooled[11].Labels().Keys.First(k => k == "app"));
        Assert.NotSame(fresh[10].Spec.Volumes[0].Name, fresh[11].Spec.Volumes[0].Name);
        Assert.True(pool.Hits > 0);
    }

    [Fact]
    public async Task Json_strings_the_pool_does_not_take_decode_as_without_it()
    {
        var list = FixtureList(3);
        list.Items[0].Metadata.Annotations["escaped"] = "quote \" tab \t é";
        list.Items[1].Metadata.Annotations["long"] = new string('x', 5000);
        byte[] json = Encoding.UTF8.GetBytes(KubernetesJson.Serialize(list));
        var (pooled, _) = await Read(json, "application/json", new DecodeOptions { Strings = new Utf8StringPool() });
        var (fresh, _) = await Read(json, "application/json", DecodeOptions.NoInterning);
        Assert.Equal(KubernetesJson.Serialize(fresh), KubernetesJson.Serialize(pooled));
        Assert.Equal("quote \" tab \t é", pooled[0].Metadata.Annotations["escaped"]);
        Assert.Equal(5000, pooled[1].Metadata.Annotations["long"].Length);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_json_string_is_the_same_typed_error_with_or_without_the_pool()
    {
        var list = FixtureList(2);
        list.Items[1].Metadata.Labels["bad"] = "BADBYTES";
        byte[] json = Encoding.UTF8.GetBytes(KubernetesJson.Serialize(list));
        int at = json.AsSpan().IndexOf("BADBYTES"u8);
        json[at] = 0xFF; // not UTF-8
        foreach (var options in new[] { new DecodeOptions { Strings = new Utf8StringPool() }, DecodeOptions.NoInterning })
        {
            var error = await Assert.ThrowsAsync<KubernetesWireException>(() => Read(json, "application/json", options));
            Assert.Equal(WireErrorKind.InvalidValue, error.Kind);
            Assert.StartsWith("items[1]", error.FieldPath, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_body_cut_short_is_not_taken_for_a_list()
    {
        var body = KubernetesProtobuf.Encode(FixtureList(3));
        var error = await Assert.ThrowsAsync<KubernetesWireException>(() => Read(body[..^10], "application/vnd.kubernetes.protobuf"));
        Assert.Equal(WireErrorKind.Truncated, error.Kind);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("")]
    public async Task Other_media_types_are_a_typed_error(string contentType)
    {
        var error = await Assert.ThrowsAsync<KubernetesWireException>(() => Read([1, 2, 3], contentType));
        Assert.Equal(WireErrorKind.UnsupportedMediaType, error.Kind);
    }
}
