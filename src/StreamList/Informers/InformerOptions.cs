using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using StreamList.Memory;
using StreamList.Codec;
using StreamList.Sharding;

namespace StreamList.Informers;

/// <summary>How an informer lists, watches and caches. Defaults follow client-go.</summary>
public sealed record InformerOptions<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>How the cache holds objects.</summary>
    public StoreMode StoreMode { get; init; } = StoreMode.Objects;

    /// <summary>Extra indexes by name (the namespace index is built in).</summary>
    public IReadOnlyDictionary<string, IndexFunc<T>>? Indexers { get; init; }

    /// <summary>Runs on every object before it enters the cache (e.g. <see cref="Transforms.DropManagedFields{T}"/>).</summary>
    public Func<T, T>? Transform { get; init; }

    /// <summary>Label selector for list and watch.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector for list and watch.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>
    /// Only the objects of this shard (KEP-5866 <c>shardSelector</c>), sent on every list and watch;
    /// what a server without sharding sends outside it is dropped by the informer. Change it on a
    /// running informer with <see cref="Informer{T}.ChangeShardSelector"/> (a <see cref="Sharding.ShardGroup"/> raises <see cref="Sharding.ShardGroup.SelectorChanged"/> for it).
    /// </summary>
    public ShardSelector? ShardSelector { get; init; }

    /// <summary>
    /// Page size for lists. Null (the default) follows client-go: pages of 500 for the first list
    /// ("0") and consistent lists (""), no limit for a relist at a known resourceVersion so that the
    /// apiserver serves it from its watch cache (with a limit it is an exact read from etcd) unless
    /// the first list came back paginated (no watch cache). A number always pages with it; 0 never pages.
    /// </summary>
    public int? PageSize { get; init; }

    /// <summary>resourceVersion of the first list: "0" serves it from the watch cache, as client-go does.</summary>
    public string InitialResourceVersion { get; init; } = "0";

    /// <summary>
    /// Use WatchList (sendInitialEvents) instead of a list for every relist; a pass whose WatchList
    /// is refused (4xx other than 410/429), cut off before its end bookmark or timed out lists
    /// instead, and the next relist tries WatchList again.
    /// </summary>
    public bool UseWatchList { get; init; }

    /// <summary>How long a WatchList may take, from entering the relist gate, to send its initial-events-end bookmark before that pass falls back to a list.</summary>
    public TimeSpan WatchListTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Watches ask for a server timeout uniform in [MinWatchTimeout, 2 × MinWatchTimeout): client-go's [300, 600) s.</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The gate that keeps relists one at a time among the informers that share it. Null: this
    /// informer's own (a <see cref="SharedInformerFactory"/> gives its informers one gate);
    /// <see cref="RelistGate.Shared"/> for one relist at a time in the whole process. A wait at the
    /// gate costs no timeout and counts as no failure.
    /// </summary>
    public RelistGate? RelistGate { get; init; }

    /// <summary>Backoff between failed attempts; client-go's (800 ms ×2 to 30 s, jitter 1, reset after 2 min) unless set.</summary>
    public Backoff? Backoff { get; init; }

    /// <summary>The clock for backoff, watch timeouts and resync.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Randomness for watch timeouts (and the default backoff's jitter).</summary>
    public Random? Random { get; init; }

    /// <summary>Where logs go.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// During a relist, recognise items the cache holds unchanged (same uid and resourceVersion)
    /// and skip building them. Off only to measure what the skip saves.
    /// </summary>
    internal bool SkipUnchangedOnRelist { get; init; } = true;

    /// <summary>
    /// Decoding options for the compact store's reads, which always share repeated parts
    /// (<see cref="DecodeOptions.ShareParts"/>), intern no strings (a read's object is made for that
    /// read) and decode an object's managedFields only when they are first asked for.
    /// </summary>
    public DecodeOptions? Decode { get; init; }
}
