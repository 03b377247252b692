using k8s;
using k8s.Models;
using StreamList.Codec;

namespace StreamList.Informers;

/// <summary>
/// Ready-made transforms for <see cref="InformerOptions{T}.Transform"/>. A compact store applies
/// these two to the wire bytes themselves, so objects are still never decoded on the way in; any
/// other transform needs the object, so a compact store then decodes each item and re-encodes it.
/// With <see cref="DropManagedFields{T}"/> an informer also asks its list and watch not to build
/// managedFields at all (<see cref="Http.ListRequest.SkipManagedFields"/>); the transform still
/// runs, for list functions that ignore the request and for JSON bodies. Only the methods of this
/// class are recognised (<c>Transform = Transforms.DropManagedFields</c>), not a lambda that calls one.
/// </summary>
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

    /// <summary>
    /// How a compact store can apply <paramref name="transform"/> to an object's bytes: null when it
    /// cannot (a transform of its own needs the object). Only the method groups of this class are
    /// recognised (<c>Transform = Transforms.DropManagedFields</c>), not lambdas that call them.
    /// </summary>
    internal static MessageTrim? OnWire<T>(Func<T, T>? transform)
    {
        if (transform is null)
            return MessageTrim.None;
        var method = transform.Method;
        if (transform.Target is not null || method.DeclaringType != typeof(Transforms))
            return null;
        return method.Name switch
        {
            nameof(DropManagedFields) => MessageTrim.DropManagedFields,
            nameof(MetadataOnly) => MessageTrim.MetadataOnly,
            _ => null,
        };
    }
}
