using k8s.Models;

namespace StreamList.Informers;

/// <summary>
/// Read access to an informer's cache. Safe from any thread; a read never sees a half-applied
/// change. Objects returned are shared with the cache: treat them as read-only.
/// </summary>
public interface IStore<T>
    where T : class
{
    /// <summary>Number of objects.</summary>
    int Count { get; }

    /// <summary>The object with this key (<c>namespace/name</c> or <c>name</c>), or null.</summary>
    T? Get(string key);

    /// <summary>
    /// The metadata of the object with this key (name, namespace, labels, annotations,
    /// resourceVersion, owner references, …), or null. A compact store decodes only the metadata,
    /// never the spec or status: the cheap read for a controller that first decides by metadata.
    /// </summary>
    V1ObjectMeta? GetMetadata(string key);

    /// <summary>Every object, in no particular order.</summary>
    IReadOnlyList<T> List();

    /// <summary>Every key, in no particular order.</summary>
    IReadOnlyList<string> ListKeys();

    /// <summary>
    /// Every key with the resourceVersion stored for it, read at one point in time, in no particular
    /// order, without building any object (a compact store decodes nothing).
    /// </summary>
    IReadOnlyList<(string Key, string? ResourceVersion)> ListResourceVersions();

    /// <summary>Objects whose index <paramref name="indexName"/> has the value <paramref name="indexedValue"/>.</summary>
    /// <exception cref="ArgumentException">No index of that name.</exception>
    IReadOnlyList<T> ByIndex(string indexName, string indexedValue);

    /// <summary>Keys of objects whose index <paramref name="indexName"/> has the value <paramref name="indexedValue"/>.</summary>
    /// <exception cref="ArgumentException">No index of that name.</exception>
    IReadOnlyList<string> IndexKeys(string indexName, string indexedValue);
}

/// <summary>Computes the values an object is indexed under (e.g. its namespace, its node name).</summary>
public delegate IEnumerable<string> IndexFunc<in T>(T obj);
