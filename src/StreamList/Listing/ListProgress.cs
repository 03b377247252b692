using k8s.Models;

namespace StreamList.Listing;

/// <summary>
/// What a streaming list has seen so far. Filled in as the body streams, readable from any
/// thread (for progress displays). <see cref="Complete"/> becomes true only when the whole body
/// was read and well-formed, so a consumer can tell a complete list from a cut one.
/// </summary>
/// <remarks>
/// The contract of a <see cref="ListFunc{T}"/>, built-in or written by a user: for each item it yields
/// it calls <see cref="ReportItem"/> (and <see cref="ReportBytes"/> for what it read, when it knows),
/// then, once the response ended well, <see cref="ReportMetadata"/> with the list's metadata
/// (resourceVersion, continue, remainingItemCount) and <see cref="ReportComplete"/>. The pager follows
/// the reported continue token, the informer watches from the reported resourceVersion, and a page
/// that ends without <see cref="ReportComplete"/> fails the list (a cut response must not look whole).
/// </remarks>
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

    /// <summary>One more item was decoded (call it before yielding the item).</summary>
    public void ReportItem() => Interlocked.Increment(ref _items);

    /// <summary><paramref name="count"/> more body bytes were consumed.</summary>
    public void ReportBytes(long count) => Interlocked.Add(ref _bytes, count);

    /// <summary>The list's metadata: its resourceVersion, and continue and remainingItemCount for a page.</summary>
    public void ReportMetadata(V1ListMeta? metadata) => _metadata = metadata;

    /// <summary>The whole response was read and well-formed: report it last, after the metadata.</summary>
    public void ReportComplete() => _complete = true;

    internal void AddPage() => Interlocked.Increment(ref _pages);

    internal void AddRestart() => Interlocked.Increment(ref _restarts);
}
