using System.Collections.Frozen;
using k8s.Models;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Every kind of core/v1, apps/v1, batch/v1, discovery/v1, coordination/v1 (and the meta types
/// KubernetesClient models) by apiVersion/kind and by CLR type. The table is generated
/// (Generated/Registry.g.cs); this file only indexes it.
/// </summary>
internal static partial class ProtobufRegistry
{
    // Kinds the apiserver encodes that KubernetesClient does not mark as entities.
    private static readonly ProtobufKind[] s_extraKinds =
    [
        new("v1", "WatchEvent", typeof(V1WatchEvent), static (ref ProtoReader r) => ProtobufCodec.MergeV1WatchEvent(ref r, new V1WatchEvent()),
            static (w, o) => ProtobufCodec.WriteV1WatchEventBody(w, (V1WatchEvent)o), null, null, static _ => { }),
    ];

    private static readonly ProtobufKind[] s_all = [.. s_generatedKinds, .. s_extraKinds];

    private static readonly FrozenDictionary<(string ApiVersion, string Kind), ProtobufKind> s_byKind =
        s_all.ToFrozenDictionary(k => (k.ApiVersion, k.Kind));

    private static readonly FrozenDictionary<Type, ProtobufKind> s_byType =
        s_all.ToFrozenDictionary(k => k.Type);

    public static IReadOnlyCollection<ProtobufKind> All => s_all;

    public static ProtobufKind? Find(string apiVersion, string kind) => s_byKind.GetValueOrDefault((apiVersion, kind));

    public static ProtobufKind? ForType(Type type) => s_byType.GetValueOrDefault(type);

    private static readonly FrozenDictionary<Type, ProtobufKind> s_listByItem =
        s_all.Where(k => k.ItemType is not null).ToFrozenDictionary(k => k.ItemType!);

    /// <summary>The list kind whose items are of <paramref name="itemType"/> (V1Pod → PodList).</summary>
    public static ProtobufKind? ListOf(Type itemType) => s_listByItem.GetValueOrDefault(itemType);
}
