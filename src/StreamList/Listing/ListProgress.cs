using k8s.Models;

namespace StreamList.Listing;

/// <summary>
/// What a streaming list has seen so far. Filled in as the body streams, readable from any
/// thread (for progress displays). <see cref="Complete"/> becomes true only when the whole body
/// was read and well-formed, so a consumer can tell a complete list from a cut one.
/// </summary>
public sealed class ListProgress
{
    private long _items;
    private long _bytes;
    private int _restarts;
    private int _pages;
    private volatile V1ListMeta? _metadata;
    private volatile bool _complete;

    /// <summary>Items decoded so far.</summary>
    public long Items => Volatile.Read(ref _items);

    /// <summary>Body bytes consumed so far.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>The list's metadata (resourceVersion, continue, remainingItemCount); set once the body has ended, whatever order its fields came in.</summary>
    public V1ListMeta? Metadata => _metadata;

    /// <summary>True once the whole body has been read and was well-formed.</summary>
    public bool Complete => _complete;

    /// <summary>Pages requested so far (1 for a list without paging; more when continue tokens were followed).</summary>
    public int Pages => Volatile.Read(ref _pages);

    /// <summary>
    /// Times a paged list started over (an expired continue token fell back to a full list, as
    /// client-go's pager does). Items delivered before a restart may be delivered again.
    /// </summary>
    public int Restarts => Volatile.Read(ref _restarts);

    internal void AddItem() => Interlocked.Increment(ref _items);

    internal void AddBytes(long n) => Interlocked.Add(ref _bytes, n);

    internal void SetMetadata(V1ListMeta? metadata) => _metadata = metadata;

    internal void MarkComplete() => _complete = true;

    internal void AddPage() => Interlocked.Increment(ref _pages);

    internal void AddRestart() => Interlocked.Increment(ref _restarts);
}
