using k8s.Models;

namespace StreamList.Informers;

/// <summary>Store keys as client-go makes them: <c>namespace/name</c>, or <c>name</c> for cluster-scoped objects.</summary>
public static class ObjectKey
{
    /// <summary>The key of an object with this metadata.</summary>
    public static string For(V1ObjectMeta metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return string.IsNullOrEmpty(metadata.NamespaceProperty) ? metadata.Name ?? "" : metadata.NamespaceProperty + "/" + metadata.Name;
    }

    /// <summary>The key of a namespaced or cluster-scoped name.</summary>
    public static string For(string? @namespace, string name) => string.IsNullOrEmpty(@namespace) ? name : @namespace + "/" + name;

    /// <summary>The namespace (null for a cluster-scoped key) and name of a key: the inverse of <see cref="For(string?, string)"/>.</summary>
    public static (string? Namespace, string Name) Split(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }
}
