using System.Globalization;
using StreamList.Codec;
using StreamList.Sharding;

namespace StreamList.Http;

/// <summary>Parameters of one WATCH request, as the apiserver names them. Null means "not sent".</summary>
public sealed record WatchRequest
{
    /// <summary>Label selector.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>
    /// KEP-5866 shard selector (alpha, feature gate ShardedListAndWatch): only objects whose hashed
    /// field falls in its ranges. A server without the feature ignores it; the informer then filters
    /// itself (see <see cref="Sharding.ShardSelector"/>).
    /// </summary>
    public ShardSelector? ShardSelector { get; init; }

    /// <summary>Watch from this resourceVersion (exclusive).</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>NotOlderThan with <see cref="SendInitialEvents"/> (WatchList).</summary>
    public string? ResourceVersionMatch { get; init; }

    /// <summary>Ask for BOOKMARK events.</summary>
    public bool AllowWatchBookmarks { get; init; } = true;

    /// <summary>Server-side watch timeout; the server closes the stream after it.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>WatchList: the server first sends the current state as ADDED events, then an initial-events-end bookmark.</summary>
    public bool? SendInitialEvents { get; init; }

    /// <summary>
    /// Set by the informer: the built-in protobuf reader offers it the object of each ADDED and
    /// MODIFIED event before decoding it; an event whose object it takes (returns true for) is
    /// neither decoded nor handed out: the informer applied it from its bytes, or holds it unchanged.
    /// Other watch functions may ignore this and deliver every event; JSON streams are always decoded.
    /// </summary>
    public ItemTaker? TakeItem { get; init; }

    /// <summary>
    /// Set by the informer when its transform drops metadata.managedFields
    /// (the method <c>Transforms.DropManagedFields</c> itself): the built-in protobuf readers then skip
    /// them while decoding (<see cref="DecodeOptions.SkipManagedFields"/>) instead of building what the
    /// transform discards; JSON bodies keep them. A watch function may ignore this: the transform still drops them.
    /// </summary>
    public bool SkipManagedFields { get; init; }

    /// <summary>
    /// Whether the built-in protobuf readers share parts that objects repeat byte for byte
    /// (<see cref="DecodeOptions.ShareParts"/>); null (the default): as the client's
    /// <see cref="DecodeOptions"/> say. An informer sets it: true when its decoded objects go only
    /// to its cache and handlers, which never change them; false when its transform is the user's
    /// own, which may change the object it is given. A watch function that passes the request on must
    /// not change what it yields when this is true; one that ignores it gives objects their own parts.
    /// </summary>
    public bool? ShareParts { get; init; }

    internal IEnumerable<KeyValuePair<string, string>> Query()
    {
        yield return new("watch", "true");
        if (LabelSelector is not null) yield return new("labelSelector", LabelSelector);
        if (FieldSelector is not null) yield return new("fieldSelector", FieldSelector);
        if (ShardSelector is not null) yield return new("shardSelector", ShardSelector.ToString());
        if (ResourceVersion is not null) yield return new("resourceVersion", ResourceVersion);
        if (ResourceVersionMatch is not null) yield return new("resourceVersionMatch", ResourceVersionMatch);
        if (AllowWatchBookmarks) yield return new("allowWatchBookmarks", "true");
        if (TimeoutSeconds is { } t) yield return new("timeoutSeconds", t.ToString(CultureInfo.InvariantCulture));
        if (SendInitialEvents is { } s) yield return new("sendInitialEvents", s ? "true" : "false");
    }
}
