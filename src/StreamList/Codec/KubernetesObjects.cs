using k8s;

namespace StreamList.Codec;

/// <summary>
/// Frozen objects and their mutable copies. An informer keeps each object once and gives that
/// one instance to every reader and handler, so its lists and maps are frozen: read-only,
/// exact-size collections (fewer, smaller objects per cached object) whose mutation throws
/// <see cref="NotSupportedException"/> rather than silently changing what everyone shares
/// (client-go only documents that cached objects must not be changed). <see cref="DeepCopy{T}"/>
/// gives an object that can be changed, as client-go's generated <c>DeepCopy</c> does.
/// </summary>
public static class KubernetesObjects
{
    /// <summary>
    /// Makes every list and map in <paramref name="obj"/> read-only and exact-size, in place, and
    /// returns it. Properties can still be assigned (the model classes allow it); a collection
    /// assigned later is not frozen. Freezing a frozen object changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <typeparamref name="T"/> is not a kind StreamList's protobuf codec knows
    /// (<see cref="KubernetesProtobuf.IsKnownKind"/>), e.g. a custom resource: such objects stay as they are in an informer.
    /// </exception>
    public static T Freeze<T>(T obj)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (!TryFreeze(obj))
            throw new ArgumentException($"{obj.GetType().Name} is not a kind StreamList's protobuf codec knows, so it cannot be frozen.", nameof(obj));
        return obj;
    }

    /// <summary>A deep copy of <paramref name="obj"/> with ordinary, mutable lists and dictionaries, sharing nothing with it.</summary>
    /// <remarks>Made through KubernetesClient's JSON serializer, so every property <typeparamref name="T"/> has is copied, for any model type.</remarks>
    public static T DeepCopy<T>(this T obj)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(obj);
        return KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
    }

    /// <summary>Freezes <paramref name="obj"/> when its type has a generated freeze; false (and nothing done) otherwise.</summary>
    internal static bool TryFreeze(object obj)
    {
        if (ProtobufRegistry.ForType(obj.GetType()) is not { } kind)
            return false;
        kind.Freeze(obj);
        return true;
    }
}
