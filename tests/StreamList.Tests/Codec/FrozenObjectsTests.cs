using System.Collections;
using System.Reflection;
using k8s;
using k8s.Models;
using StreamList.Codec;
using StreamList.Tests.Support;

namespace StreamList.Tests.Codec;

/// <summary>
/// Lean, frozen objects: protobuf decoding gives read-only, exact-size lists and maps (every real
/// fixture, every collection in it), <see cref="KubernetesObjects.Freeze{T}"/> gives the same to
/// objects from elsewhere without changing what they say, and <see cref="KubernetesObjects.DeepCopy{T}"/>
/// gives back ordinary mutable collections sharing nothing.
/// </summary>
public class FrozenObjectsTests
{
    public static TheoryData<string> Names => Fixtures.All();

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_collection_a_protobuf_decode_builds_is_read_only(string name)
    {
        var obj = KubernetesProtobuf.Decode(Fixtures.Protobuf(name), Schemas.FixtureType(name));
        var collections = Collections(obj).ToList();
        Assert.Equal(Collections(JsonDecode(name)).Select(c => c.Path), collections.Select(c => c.Path));
        foreach (var (path, collection) in collections)
            AssertReadOnly(path, collection);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Freeze_makes_a_json_decoded_object_read_only_and_changes_nothing_it_says(string name)
    {
        if (JsonDecode(name) is not IKubernetesObject obj || name.EndsWith(".Status", StringComparison.Ordinal))
            return; // WatchEvent is not an object; V1Status serializes through a read-only converter
        string before = KubernetesJson.Serialize(obj);
        var mutable = Collections(obj).Where(c => !IsReadOnly(c.Collection)).ToList();
        Assert.NotEmpty(mutable); // KubernetesClient's decode builds List and Dictionary

        Assert.Same(obj, KubernetesObjects.Freeze(obj));

        Assert.Equal(before, KubernetesJson.Serialize(obj));
        var frozen = Collections(obj).ToList();
        Assert.Equal(mutable.Select(c => c.Path), frozen.Where(c => !mutable.Any(m => ReferenceEquals(m.Collection, c.Collection))).Select(c => c.Path));
        foreach (var (path, collection) in frozen)
            AssertReadOnly(path, collection);
        KubernetesObjects.Freeze(obj);
        Assert.Equal(frozen.Select(c => c.Collection), Collections(obj).Select(c => c.Collection)); // a frozen object is left as it is
    }

    [Fact]
    public void DeepCopy_gives_mutable_collections_and_shares_nothing()
    {
        var pod = KubernetesProtobuf.Decode<V1Pod>(Fixtures.Protobuf("core.v1.Pod"));
        string original = KubernetesJson.Serialize(pod);

        var copy = pod.DeepCopy();

        Assert.Equal(original, KubernetesJson.Serialize(copy));
        Assert.All(Collections(copy), c => Assert.False(IsReadOnly(c.Collection), c.Path));
        copy.Metadata.Labels["added"] = "yes";
        copy.Spec.Containers.Add(new V1Container { Name = "added" });
        copy.Spec.Containers[0].Args?.Clear();
        Assert.Equal(original, KubernetesJson.Serialize(pod));
        Assert.Empty(Collections(pod).Select(c => c.Collection).Intersect(Collections(copy).Select(c => c.Collection), ReferenceEqualityComparer.Instance));
    }

    [Fact]
    public void Freeze_refuses_a_kind_the_codec_does_not_know()
    {
        var e = Assert.Throws<ArgumentException>(() => KubernetesObjects.Freeze(new CustomThing()));
        Assert.Contains(nameof(CustomThing), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_map_keeps_the_last_value_of_a_repeated_key_and_is_read_in_key_order()
    {
        // labels written out of order, "b" twice, and a second metadata occurrence merging one more label
        static byte[] Label(string k, string v) => ProtoBytes.LenField(11, ProtoBytes.Concat(ProtoBytes.StringField(1, k), ProtoBytes.StringField(2, v)));
        var body = ProtoBytes.Concat(
            ProtoBytes.LenField(1, ProtoBytes.Concat(ProtoBytes.StringField(1, "p"), Label("c", "3"), Label("b", "old"), Label("a", "1"), Label("b", "2"))),
            ProtoBytes.LenField(1, Label("d", "4")));
        var pod = KubernetesProtobuf.Decode<V1Pod>(ProtoBytes.Envelope("v1", "Pod", body));

        var labels = pod.Metadata.Labels;
        Assert.Equal(["a", "b", "c", "d"], labels.Keys);
        Assert.Equal(["1", "2", "3", "4"], labels.Values);
        Assert.Equal("2", labels["b"]);
        Assert.True(labels.ContainsKey("d"));
        Assert.False(labels.TryGetValue("e", out _));
        Assert.Throws<KeyNotFoundException>(() => labels["e"]);
        Assert.Contains(new KeyValuePair<string, string>("c", "3"), labels);
        Assert.DoesNotContain(new KeyValuePair<string, string>("b", "old"), labels);
        AssertReadOnly("metadata.labels", labels);
    }

    [Fact]
    public void A_repeated_field_split_across_two_occurrences_of_its_message_keeps_every_element_in_order()
    {
        static byte[] Container(string n) => ProtoBytes.LenField(2, ProtoBytes.StringField(1, n));
        var body = ProtoBytes.Concat(
            ProtoBytes.LenField(1, ProtoBytes.StringField(1, "p")),
            ProtoBytes.LenField(2, ProtoBytes.Concat(Container("a"), Container("b"))),
            ProtoBytes.LenField(2, Container("c")));
        var pod = KubernetesProtobuf.Decode<V1Pod>(ProtoBytes.Envelope("v1", "Pod", body));

        Assert.Equal(["a", "b", "c"], pod.Spec.Containers.Select(c => c.Name));
        AssertReadOnly("spec.containers", pod.Spec.Containers);
        Assert.Equal(["a", "b", "c"], KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(pod)).Spec.Containers.Select(c => c.Name));
    }

    private sealed class CustomThing : IKubernetesObject
    {
        public string ApiVersion { get; set; } = "example.com/v1";

        public string Kind { get; set; } = "Thing";
    }

    private static object JsonDecode(string name) => KubernetesJsonUtil.Deserialize(Fixtures.Json(name), Schemas.FixtureType(name));

    /// <summary>Every list and map reachable through the model's properties, with its JSON-ish path, in a stable order.</summary>
    private static IEnumerable<(string Path, object Collection)> Collections(object? value, string path = "")
    {
        if (value is null || value is string || value.GetType().Namespace != "k8s.Models" && value is not IEnumerable)
            yield break;
        if (value is IDictionary<string, string> or IDictionary<string, ResourceQuantity> or IDictionary<string, byte[]>)
        {
            yield return (path, value);
            yield break;
        }
        if (value is IEnumerable items && value.GetType().Namespace != "k8s.Models")
        {
            if (value is byte[])
                yield break;
            yield return (path, value);
            int i = 0;
            foreach (var item in items)
            {
                foreach (var inner in Collections(item, $"{path}[{i++}]"))
                    yield return inner;
            }
            yield break;
        }
        foreach (var p in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            foreach (var inner in Collections(p.GetValue(value), path.Length == 0 ? p.Name : path + "." + p.Name))
                yield return inner;
        }
    }

    private static Type CollectionInterface(object collection) =>
        collection.GetType().GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollection<>));

    private static bool IsReadOnly(object collection) =>
        (bool)CollectionInterface(collection).GetProperty(nameof(ICollection<int>.IsReadOnly))!.GetValue(collection)!;

    private static void AssertReadOnly(string path, object collection)
    {
        Assert.True(IsReadOnly(collection), path);
        var count = CollectionInterface(collection).GetProperty(nameof(ICollection<int>.Count))!;
        int before = (int)count.GetValue(collection)!;
        foreach (var (method, args) in new (string, object?[])[] { ("Clear", []), ("Add", [null]) })
        {
            var m = CollectionInterface(collection).GetMethod(method)!;
            var call = Assert.Throws<TargetInvocationException>(() => m.Invoke(collection, args.Length == 0 ? null : [Default(m.GetParameters()[0].ParameterType)]));
            var e = Assert.IsType<NotSupportedException>(call.InnerException);
            Assert.Contains("DeepCopy", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(before, (int)count.GetValue(collection)!);
    }

    private static object? Default(Type t) => t.IsValueType ? Activator.CreateInstance(t) : null;
}
