namespace StreamList.Testing.Server;

/// <summary>How a <see cref="FakeApiServer"/> behaves: what it holds, what it speaks, how fast and how badly.</summary>
public sealed record FakeApiServerOptions
{
    /// <summary>Initial pods (fixture indexes 0..Pods-1). Ignored when <see cref="Population"/> is set.</summary>
    public int Pods { get; init; } = 1000;

    /// <summary>Fixture seed. Ignored when <see cref="Population"/> is set.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>An existing population to serve (shared, e.g. with a benchmark that pre-measured it); null makes one from <see cref="Pods"/> and <see cref="Seed"/>.</summary>
    public PodPopulation? Population { get; init; }

    /// <summary>Past list versions kept servable for continue tokens and exact lists (for a population the server makes).</summary>
    public int RetainedSnapshots { get; init; } = 16;

    /// <summary>Accepted HTTP versions; HTTP/2 is cleartext with prior knowledge.</summary>
    public ServerProtocols Protocols { get; init; } = ServerProtocols.Http1 | ServerProtocols.Http2;

    /// <summary>Gzip list bodies for requests with <c>Accept-Encoding: gzip</c>.</summary>
    public bool AllowGzip { get; init; } = true;

    /// <summary>Answer protobuf when asked; false answers JSON always (as for a CRD).</summary>
    public bool AllowProtobuf { get; init; } = true;

    /// <summary>How bodies are cut into writes.</summary>
    public ChunkMode ChunkMode { get; init; } = ChunkMode.Large;

    /// <summary>Bytes per write in <see cref="ChunkMode.Large"/>.</summary>
    public int ChunkSize { get; init; } = 64 * 1024;

    /// <summary>Seed of the write sizes in <see cref="ChunkMode.Random"/> (combined with the request number).</summary>
    public int ChunkSeed { get; init; } = 1;

    /// <summary>Pause after every write: a slow server or network.</summary>
    public TimeSpan ChunkDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Faults in force at start; change them later through <see cref="FakeApiServer.Faults"/>.</summary>
    public FaultPlan Faults { get; init; } = FaultPlan.None;

    /// <summary>The clock of <see cref="ChunkDelay"/>, watch timeouts, bookmarks and the storm loop.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Changes the watch history keeps for watches that resume from a past resourceVersion; older ones get 410 Expired.</summary>
    public int WatchHistorySize { get; init; } = 10_000;

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK at its current resourceVersion.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How the server treats <c>sendInitialEvents</c> (WatchList).</summary>
    public WatchListMode WatchListMode { get; init; } = WatchListMode.Supported;

    /// <summary>
    /// Ignore <c>shardSelector</c> on lists and watches and echo no <c>shardInfo</c>, as a server
    /// without KEP-5866 sharding (older, or the ShardedListAndWatch gate off) does. By default the
    /// server applies it (hash of <c>metadata.uid</c> or <c>metadata.namespace</c>) and echoes it.
    /// </summary>
    public bool IgnoreShardSelector { get; init; }

    /// <summary>Events each watch may have queued (not yet written) before the dispatcher waits for it and, past the shared budget, closes it.</summary>
    public int WatcherBufferEvents { get; init; } = 100;

    /// <summary>MODIFIED events per second the storm loop makes from the start (0 = no storm until <see cref="FakeApiServer.StartStorm"/>).</summary>
    public double EventRate { get; init; }

    /// <summary>With <see cref="EventRate"/>: how often the storm loop compacts (history and snapshots); null never.</summary>
    public TimeSpan? CompactEvery { get; init; }

    /// <summary>
    /// When true, each compaction also ends every open watch with a 410 ERROR event, as the apiserver
    /// does to watchers its watch cache window has left behind: how a storm makes informers relist.
    /// </summary>
    public bool CompactionExpiresWatches { get; init; }

    /// <summary>Concurrent HTTP/2 streams per connection (kube-apiserver's default is 1000; Kestrel's own, 100, would queue watches).</summary>
    public int Http2MaxStreamsPerConnection { get; init; } = 1000;
}
