using System.Diagnostics.CodeAnalysis;

namespace StreamList.Codec;

/// <summary>
/// The collections of a frozen object (<see cref="KubernetesObjects.Freeze{T}"/>): each list
/// becomes a <see cref="ReadOnlyList{T}"/> over an array of exactly its length, each map a
/// <see cref="ReadOnlyMap{TValue}"/> — fewer and smaller objects than <see cref="System.Collections.Generic.List{T}"/> and
/// <see cref="Dictionary{TKey,TValue}"/> (a map is two objects instead of three), and any attempt
/// to change one throws instead of silently changing an object that others share.
///
/// Contract: idempotent (a read-only collection is returned as it is, its elements frozen again,
/// which finds nothing left to do); null stays null; element order is kept for lists, maps are
/// ordered by key as the apiserver writes them.
/// </summary>
internal static class ReadOnlyCollections
{
    /// <summary>The list as a read-only, exact-size list.</summary>
    [return: NotNullIfNotNull(nameof(list))]
    public static IList<T>? List<T>(IList<T>? list) => list switch
    {
        null => null,
        ReadOnlyList<T> done => done,
        DeferredManagedFields => list, // read-only already; freezing it must not decode it
        _ => new ReadOnlyList<T>([.. list]),
    };

    /// <summary>The list as a read-only, exact-size list, each element frozen by <paramref name="freeze"/> first.</summary>
    [return: NotNullIfNotNull(nameof(list))]
    public static IList<T>? List<T>(IList<T>? list, Action<T> freeze)
        where T : class
    {
        if (list is null or DeferredManagedFields)
            return list;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is { } item)
                freeze(item);
        }
        return List(list);
    }

    /// <summary>The map as a read-only map ordered by key.</summary>
    [return: NotNullIfNotNull(nameof(map))]
    public static IDictionary<string, TValue>? Map<TValue>(IDictionary<string, TValue>? map) => map switch
    {
        null => null,
        ReadOnlyMap<TValue> done => done,
        _ => new ReadOnlyMap<TValue>(map),
    };

    /// <summary>The exception every mutation of a frozen collection throws.</summary>
    public static NotSupportedException Mutation() => new(
        "This collection belongs to a frozen object (an informer's cached objects are shared and frozen) and is read-only: " +
        "call DeepCopy() for a copy that can be changed.");
}
