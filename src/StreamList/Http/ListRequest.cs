using StreamList.Codec;
using StreamList.Sharding;

namespace StreamList.Http;

/// <summary>
/// Parameters of one LIST request, as the apiserver names them. Null means "not sent".
/// </summary>
public sealed record ListRequest
{
    /// <summary>Label selector, e.g. <c>app=web,tier!=db</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector, e.g. <c>spec.nodeName=node-1</c>.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>"0" (any, from the watch cache), "" / null (most recent, consistent), or a specific version.</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>NotOlderThan or Exact (with a non-empty <see cref="ResourceVersion"/>).</summary>
    public string? ResourceVersionMatch { get; init; }

    /// <summary>
    /// KEP-5866 shard selector (alpha, feature gate ShardedListAndWatch): only objects whose hashed
    /// field falls in its ranges. A server without the feature ignores it; the informer then filters
    /// itself (see <see cref="Sharding.ShardSelector"/>).
    /// </summary>
    public ShardSelector? ShardSelector { get; init; }

    /// <summary>Page size; the server may ignore it (it does for resourceVersion "0").</summary>
    public int? Limit { get; init; }

    /// <summary>Continue token from the previous page.</summary>
    public string? Continue { get; init; }

    /// <summary>
    /// Set by the informer: the built-in protobuf reader offers it each item before decoding it; an
    /// item it takes (returns true for) is neither decoded nor yielded, and still counts as listed
    /// (the informer already holds it unchanged, or a compact store kept its bytes). A list function
    /// may ignore this and yield every item; JSON bodies are always decoded.
    /// </summary>
    public ItemTaker? TakeItem { get; init; }

    /// <summary>
    /// Set by the informer when its transform drops metadata.managedFields
    /// (the method <c>Transforms.DropManagedFields</c> itself): the built-in protobuf readers then skip
    /// them while decoding (<see cref="DecodeOptions.SkipManagedFields"/>) instead of building what the
    /// transform discards; JSON bodies keep them. A list function may ignore this: the transform still drops them.
    /// </summary>
    public bool SkipManagedFields { get; init; }

    /// <summary>
    /// Whether the built-in protobuf readers share parts that objects repeat byte for byte
    /// (<see cref="DecodeOptions.ShareParts"/>); null (the default): as the client's
    /// <see cref="DecodeOptions"/> say. An informer sets it: true when its decoded objects go only
    /// to its cache and handlers, which never change them; false when its transform is the user's
    /// own, which may change the object it is given. A list function that passes the request on must
    /// not change what it yields when this is true; one that ignores it gives objects their own parts.
    /// </summary>
    public bool? ShareParts { get; init; }

    internal IEnumerable<KeyValuePair<string, string>> Query()
    {
        if (LabelSelector is not null) yield return new("labelSelector", LabelSelector);
        if (FieldSelector is not null) yield return new("fieldSelector", FieldSelector);
        if (ShardSelector is not null) yield return new("shardSelector", ShardSelector.ToString());
        if (ResourceVersion is not null) yield return new("resourceVersion", ResourceVersion);
        if (ResourceVersionMatch is not null) yield return new("resourceVersionMatch", ResourceVersionMatch);
        if (Limit is { } limit) yield return new("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Continue is not null) yield return new("continue", Continue);
    }
}
