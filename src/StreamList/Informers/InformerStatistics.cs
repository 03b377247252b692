namespace StreamList.Informers;

/// <summary>An informer's running figures (thread-safe reads), for summaries and tests.</summary>
public sealed class InformerStatistics
{
    private long _lists;
    private long _listsCompleted;
    private long _itemsListed;
    private long _itemsUnchanged;
    private long _watchStarts;
    private long _watchExpired;
    private long _events;
    private long _failures;
    private long _objectsSkipped;
    private long _shardFiltered;
    private long _storedFromWire;
    private volatile Exception? _lastError;

    /// <summary>Lists (and WatchLists) started: the first one and every relist.</summary>
    public long Lists => Interlocked.Read(ref _lists);

    /// <summary>Lists that completed and synced the store.</summary>
    public long ListsCompleted => Interlocked.Read(ref _listsCompleted);

    /// <summary>Relists: completed lists after the first.</summary>
    public long Relists => Math.Max(0, ListsCompleted - 1);

    /// <summary>Items received by completed lists.</summary>
    public long ItemsListed => Interlocked.Read(ref _itemsListed);

    /// <summary>Relist items recognised as unchanged (not decoded, not re-applied).</summary>
    public long ItemsUnchanged => Interlocked.Read(ref _itemsUnchanged);

    /// <summary>Watches opened.</summary>
    public long WatchStarts => Interlocked.Read(ref _watchStarts);

    /// <summary>Watches restarted: opened after the first.</summary>
    public long WatchRestarts => Math.Max(0, WatchStarts - 1);

    /// <summary>Watches ended by 410 Expired.</summary>
    public long WatchExpired => Interlocked.Read(ref _watchExpired);

    /// <summary>Watch events applied.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Failed list or watch attempts (each followed by a backoff).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// Listed items and watch events that could not be stored (no name, a transform or index
    /// function that threw) and were skipped; the list or watch went on.
    /// </summary>
    public long ObjectsSkipped => Interlocked.Read(ref _objectsSkipped);

    /// <summary>
    /// Listed items and watch events outside the informer's shard selector that the server sent
    /// anyway (a server without KEP-5866 sharding ignores the selector) and the informer dropped.
    /// </summary>
    public long ShardFiltered => Interlocked.Read(ref _shardFiltered);

    /// <summary>
    /// Objects a compact store kept from their wire bytes without decoding them (protobuf list items
    /// and watch events, with no transform or a built-in one). What a compact informer stores
    /// otherwise (JSON, a transform of one's own) it decodes and re-encodes.
    /// </summary>
    public long StoredFromWire => Interlocked.Read(ref _storedFromWire);

    /// <summary>The most recent failure (of a list or watch attempt, or of an object that was skipped).</summary>
    public Exception? LastError => _lastError;

    internal void ListStarted() => Interlocked.Increment(ref _lists);

    internal void ListCompleted(long items, long unchanged)
    {
        Interlocked.Increment(ref _listsCompleted);
        Interlocked.Add(ref _itemsListed, items);
        Interlocked.Add(ref _itemsUnchanged, unchanged);
    }

    internal void WatchStarted() => Interlocked.Increment(ref _watchStarts);

    internal void WatchExpiredOnce() => Interlocked.Increment(ref _watchExpired);

    internal void Event() => Interlocked.Increment(ref _events);

    internal void ObjectSkipped(Exception? e)
    {
        Interlocked.Increment(ref _objectsSkipped);
        if (e is not null)
            _lastError = e;
    }

    internal void ShardFilteredOnce() => Interlocked.Increment(ref _shardFiltered);

    internal void StoredFromWireOnce() => Interlocked.Increment(ref _storedFromWire);

    internal void Failed(Exception e)
    {
        Interlocked.Increment(ref _failures);
        _lastError = e;
    }
}
