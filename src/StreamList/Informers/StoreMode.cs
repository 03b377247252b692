namespace StreamList.Informers;

/// <summary>How an informer's cache holds its objects.</summary>
public enum StoreMode
{
    /// <summary>As <c>k8s.Models</c> objects, each independently allocated (like client-go).</summary>
    Objects,

    /// <summary>
    /// As each object's own protobuf bytes (one array per object) plus a small index; objects are
    /// decoded on read. A fraction of the memory, at the cost of a decode per read.
    /// </summary>
    Compact,

    /// <summary>
    /// As <see cref="Compact"/>, each object's bytes compressed with zstd and a dictionary trained
    /// from the informer's own first 1,000 objects (retrained when the ratio degrades): about a
    /// seventh of the wire size for pods, at the cost of a decompression and a decode per read.
    /// </summary>
    Compressed,
}
