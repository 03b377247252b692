namespace StreamList.Informers;

/// <summary>
/// Names of the indexes every informer cache has. Custom indexes are added by name next to these
/// and must not reuse them.
/// </summary>
public static class Indexes
{
    /// <summary>
    /// Objects by namespace (client-go's <c>cache.NamespaceIndex</c>): the value is
    /// <c>metadata.namespace</c>, or the empty string for a cluster-scoped object.
    /// </summary>
    public const string Namespace = "namespace";
}
