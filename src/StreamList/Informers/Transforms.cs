using k8s;
using k8s.Models;

namespace StreamList.Informers;

/// <summary>Ready-made transforms for <see cref="InformerOptions{T}.Transform"/>.</summary>
public static class Transforms
{
    /// <summary>
    /// Keeps only the object's metadata (for list/watch functions that decode whole objects; with
    /// StreamList's own, <see cref="Codec.DecodeOptions.MetadataOnly"/> avoids building the rest at all).
    /// </summary>
    public static T MetadataOnly<T>(T obj)
        where T : class, IKubernetesObject<V1ObjectMeta>, new()
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new T { ApiVersion = obj.ApiVersion, Kind = obj.Kind, Metadata = obj.Metadata };
    }

    /// <summary>Drops metadata.managedFields (often 30–40% of an object; controllers rarely read it).</summary>
    public static T DropManagedFields<T>(T obj)
        where T : class, IMetadata<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Metadata is { } m)
            m.ManagedFields = null;
        return obj;
    }
}
