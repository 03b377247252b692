using System.Text;
using Google.Protobuf.Reflection;
using StreamList.Codec;
using StreamList.CodeGen;

namespace StreamList.Tests.Support;

/// <summary>
/// The schema as the generator binds it (proto message ↔ KubernetesClient model, each field's
/// presence and nullability) next to protoc's Google.Protobuf descriptors of the same protos/,
/// so tests can go from a model type or a kind to the oracle's message type and back.
/// </summary>
public static class Schemas
{
    private static readonly Lazy<IReadOnlyList<BoundMessage>> s_bound = new(() =>
    {
        var asm = typeof(Generator).Assembly;
        var schema = Schema.Load(Resource(asm, "streamlist.protoset"));
        var gaps = KnownGaps.Parse(Encoding.UTF8.GetString(Resource(asm, "known-gaps.txt")));
        var binder = new Binder(schema, gaps);
        var bound = binder.BindAll();
        if (binder.Errors.Count > 0)
            throw new InvalidOperationException(string.Join("\n", binder.Errors));
        return bound;
    });

    private static readonly Lazy<TypeRegistry> s_google = new(() => TypeRegistry.FromFiles(
        K8S.Io.Api.Core.V1.CoreV1Reflection.Descriptor,
        K8S.Io.Api.Apps.V1.AppsV1Reflection.Descriptor,
        K8S.Io.Api.Batch.V1.BatchV1Reflection.Descriptor,
        K8S.Io.Api.Coordination.V1.CoordinationV1Reflection.Descriptor,
        K8S.Io.Api.Discovery.V1.DiscoveryV1Reflection.Descriptor,
        K8S.Io.Api.Scheduling.V1Alpha3.SchedulingV1Alpha3Reflection.Descriptor,
        K8S.Io.Apimachinery.Pkg.Apis.Meta.V1.MetaV1Reflection.Descriptor,
        K8S.Io.Apimachinery.Pkg.Runtime.RuntimeReflection.Descriptor));

    public static IReadOnlyList<BoundMessage> Bound => s_bound.Value;

    /// <summary>The bound message of a model type (V1Pod → k8s.io.api.core.v1.Pod).</summary>
    public static BoundMessage ForModel(Type modelType) => Bound.Single(b => b.ModelType == modelType);

    /// <summary>The oracle's descriptor for a model type.</summary>
    public static MessageDescriptor GoogleFor(Type modelType) =>
        s_google.Value.Find(ForModel(modelType).Proto.FullName) ?? throw new KeyNotFoundException(modelType.Name);

    /// <summary>The model type of a fixture: from its envelope, or (for an empty kind) from its file name group.version.Kind.</summary>
    public static Type FixtureType(string name)
    {
        var (apiVersion, kind, _, _) = ProtoBytes.Open(Fixtures.Protobuf(name));
        if (ProtobufRegistry.Find(apiVersion, kind) is { } k)
            return k.Type;
        string last = name[(name.LastIndexOf('.') + 1)..];
        return ProtobufRegistry.All.Single(x => x.Kind == last && x.ApiVersion == "v1").Type;
    }

    private static byte[] Resource(System.Reflection.Assembly asm, string name)
    {
        using var s = asm.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"resource {name} missing");
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
