using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using StreamList.Memory;

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

    /// <summary>Page size for lists (client-go: 500). The server ignores it for resourceVersion "0".</summary>
    public int? PageSize { get; init; } = 500;

    /// <summary>resourceVersion of the first list: "0" serves it from the watch cache, as client-go does.</summary>
    public string InitialResourceVersion { get; init; } = "0";

    /// <summary>Use WatchList (sendInitialEvents) instead of a list; falls back to list+watch when the server refuses or ignores it.</summary>
    public bool UseWatchList { get; init; }

    /// <summary>How long a WatchList may take to send its initial-events-end bookmark before the informer falls back to a list.</summary>
    public TimeSpan WatchListTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>WatchList attempts cut off before their end bookmark after which the informer uses paged lists instead.</summary>
    public int WatchListMaxFailures { get; init; } = 3;

    /// <summary>Watches ask for a server timeout uniform in [MinWatchTimeout, 2 × MinWatchTimeout): client-go's [300, 600) s.</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The gate that keeps relists one at a time; <see cref="RelistGate.Shared"/> unless set.</summary>
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

    /// <summary>Decoding options for the compact store's reads.</summary>
    public DecodeOptions? Decode { get; init; }
}
