using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Sharding;
using StreamList.Testing.Measurement;

namespace StreamList.Cli.Commands;

/// <summary>
/// <c>streamlist sync</c>: runs an informer on one resource for a while (list, watch, relist on 410,
/// backoff), with live figures on stderr; with <c>--summary</c> prints one JSON line
/// <c>{objects, keysSha256, relists, watchRestarts, watchExpired, events, backoffs, maxRelistsInFlight, peakRssMiB, heapMiB,
/// syncedRssMiB, peakRssSinceSyncMiB, gcCommittedMiB, failures, syncSeconds, selector, shardFiltered, members}</c> at the end,
/// and with <c>--summary-every S</c> also every S seconds while it runs (for scripts that watch a long sync converge).
/// Sharded (<see cref="ShardOptions"/>), it holds one shard; in a group it joins before listing and
/// leaves (deletes its Lease) when it ends. <c>--keys-out FILE</c> writes the cache's keys as the
/// sorted lines keysSha256 hashes.
/// </summary>
internal sealed class SyncCommand : ICommand
{
    private readonly ClusterConnection _cluster = new();
    private readonly ResourceSelection _selection = new("watch");
    private readonly ShardOptions _shards = new();
    private readonly Option<string?> _keysOut = CliOptions.Text("--keys-out", "FILE", "write the cache's keys at the end as sorted 'namespace/name resourceVersion' lines (what keysSha256 hashes)");
    private readonly Option<double> _seconds = CliOptions.Double("--seconds", "S", "how long to run from the start (0: stop once synced)", min: 0, defaultValue: 0);
    private readonly Option<string> _store = CliOptions.Choice("--store", "how the cache holds objects", "objects", ["objects", "compact"]);
    private readonly Option<string> _compression = CliOptions.Choice("--compression", "with --store compact: zstd compresses each object with a dictionary trained from the first objects", "none", ["none", "zstd"]);
    private readonly Option<bool> _dropManagedFields = CliOptions.DropManagedFields();
    private readonly Option<bool> _watchList = CliOptions.Flag("--watch-list", "sync through a WatchList stream (sendInitialEvents) instead of a list");
    private readonly Option<bool> _summary = CliOptions.Flag("--summary", "print the figures as one JSON line at the end");
    private readonly Option<double?> _summaryEvery = CliOptions.OptionalDouble("--summary-every", "S", "with --summary, also print it every S seconds", min: 0.1);
    private readonly Option<bool> _quiet = CliOptions.Quiet();

    public SyncCommand()
    {
        Declaration = new Command("sync", "run an informer for a while; print its cache's keysSha256 and figures");
        _cluster.AddTo(Declaration);
        _selection.AddTo(Declaration);
        _shards.AddTo(Declaration);
        Declaration.Add(_keysOut);
        Declaration.Add(_seconds);
        Declaration.Add(_store);
        Declaration.Add(_compression);
        Declaration.Add(_dropManagedFields);
        Declaration.Add(_watchList);
        Declaration.Add(_summary);
        Declaration.Add(_summaryEvery);
        Declaration.Add(_quiet);
    }

    public Command Declaration { get; }

    public async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        var type = _selection.Type(parsed);
        bool summary = parsed.GetValue(_summary);
        double? every = parsed.GetValue(_summaryEvery);
        if (every is not null && !summary)
            throw new UsageException("--summary-every needs --summary");
        var store = (parsed.GetValue(_store), parsed.GetValue(_compression)) switch
        {
            ("compact", "zstd") => StoreMode.Compressed,
            ("compact", _) => StoreMode.Compact,
            (_, "zstd") => throw new UsageException("--compression zstd needs --store compact"),
            _ => StoreMode.Objects,
        };
        var shard = _shards.Selector(parsed);
        var group = _shards.Group(parsed);
        using var client = _cluster.Create(parsed);
        var settings = new SyncSettings(_selection.Namespace(parsed), TimeSpan.FromSeconds(parsed.GetValue(_seconds)), store, parsed.GetValue(_watchList),
            parsed.GetValue(_quiet), every is { } e ? TimeSpan.FromSeconds(e) : null, shard, group, parsed.GetValue(_keysOut), parsed.GetValue(_dropManagedFields));
        var result = await type.RunAsync(new Syncing(client, settings, console, cancellationToken)).ConfigureAwait(false);
        if (summary)
            console.Out.WriteLine(JsonSerializer.Serialize(result, ListResult.JsonOptions));
        else
            console.Out.WriteLine($"{result.Objects:N0} objects, keysSha256 {result.KeysSha256}, {result.Relists} relists, {result.WatchRestarts} watch restarts");
        return ExitCodes.Ok;
    }

    private sealed record Syncing(Kubernetes Client, SyncSettings Settings, CliConsole Console, CancellationToken CancellationToken) : IResourceAction<SyncResult>
    {
        public Task<SyncResult> RunAsync<T>()
            where T : class, IKubernetesObject<V1ObjectMeta> => SyncAsync<T>(Client, Settings, Console, CancellationToken);
    }

    internal sealed record SyncSettings(string? Namespace, TimeSpan Duration, StoreMode Store, bool WatchList, bool Quiet, TimeSpan? SummaryEvery = null,
        ShardSelector? Shard = null, ShardGroupOptions? Group = null, string? KeysOut = null, bool DropManagedFields = false);

    /// <summary>The informer <paramref name="settings"/> ask for.</summary>
    internal static InformerOptions<T> InformerOptionsFor<T>(SyncSettings settings, RelistGate gate, ShardSelector? shard)
        where T : class, IKubernetesObject<V1ObjectMeta> => new()
    {
        StoreMode = settings.Store,
        UseWatchList = settings.WatchList,
        RelistGate = gate,
        ShardSelector = shard,
        Transform = settings.DropManagedFields ? Transforms.DropManagedFields : null,
    };

    internal static async Task<SyncResult> SyncAsync<T>(Kubernetes client, SyncSettings settings, CliConsole console, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var streaming = StreamingOptions.Default;
        var gate = new RelistGate();
        var clock = Stopwatch.StartNew();
        await using var group = settings.Group is { } g ? new ShardGroup(client, g) : null;
        if (group is not null)
        {
            await group.StartAsync(cancellationToken).ConfigureAwait(false);
            if (!settings.Quiet)
                console.Error.WriteLine($"joined shard group {settings.Group!.Group} as {settings.Group.Identity}: members {string.Join(", ", group.Members)}");
        }
        await using var informer = new Informer<T>(client.CreateListWatch<T>(settings.Namespace, streaming),
            InformerOptionsFor<T>(settings, gate, group?.Selector ?? settings.Shard));
        if (group is not null)
            group.SelectorChanged += informer.ChangeShardSelector;
        var started = clock.Elapsed;
        await using (var display = settings.Quiet ? null : ProgressDisplay.Start(console.Error, () => Status(informer)))
        await using (var summaries = settings.SummaryEvery is { } every
            ? ProgressDisplay.Start(console.Out, () => JsonSerializer.Serialize(SyncResult.Of(informer, gate, group, collect: false), ListResult.JsonOptions), every, lines: true)
            : null)
        {
            informer.Start();
            await informer.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            SyncMemory.Synced(clock.Elapsed - started);
            var left = settings.Duration - clock.Elapsed;
            if (left > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(left, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Interrupted: report what the cache holds now.
                }
            }
        }
        await informer.StopAsync().ConfigureAwait(false);
        if (group is not null)
            await group.StopAsync(CancellationToken.None).ConfigureAwait(false); // leave: the others take over now
        if (settings.KeysOut is { } path)
        {
            await using var file = File.Create(path);
            await StreamList.Testing.KeysSha256.WriteLinesAsync(informer.Store.List().Select(o => o.Metadata), file, CancellationToken.None).ConfigureAwait(false);
        }
        return SyncResult.Of(informer, gate, group);
    }

    internal static string Status<T>(Informer<T> informer)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var s = informer.Statistics;
        return $"{(informer.HasSynced ? "synced" : "syncing")}: {informer.Store.Count:N0} objects, {s.Events:N0} events, {s.Relists} relists, {s.WatchRestarts} watch restarts, {s.WatchExpired} expired, RSS {ProcessMemory.RssMiB():N0} MiB";
    }
}

/// <summary>The summary line of <c>streamlist sync</c>.</summary>
/// <remarks>
/// <c>keysSha256</c> is hashed from the store's keys and resourceVersions without building objects, and
/// <c>heapMiB</c> (final line) measured after that with only the store alive. <c>peakRssMiB</c> covers the whole run; <c>syncedRssMiB</c> is the resident set right after the first sync
/// (after a full collection: the steady state), <c>peakRssSinceSyncMiB</c> the peak from then on (relists,
/// storms), both null until synced; <c>gcCommittedMiB</c> is the memory the GC holds committed now (heap and free space it keeps).
/// <c>failures</c> counts lists and watches that failed (each followed by a backoff); <c>backoffs</c>, the older
/// name, holds the same count for scripts that read it. <c>heapMiB</c> is measured after a full blocking
/// collection in the final line, as the last collection left it in the periodic ones. <c>syncSeconds</c> runs from the informer's start
/// (after joining a shard group) to the first sync. <c>selector</c> is the shard selector in force at the end
/// (null: everything), <c>shardFiltered</c> what the informer dropped itself because the server ignored it,
/// <c>members</c> the shard group's live members as last read (null without a group).
/// </remarks>
internal sealed record SyncResult(int Objects, string KeysSha256, long Relists, long WatchRestarts, long WatchExpired, long Events,
    long Backoffs, int MaxRelistsInFlight, double PeakRssMiB, double HeapMiB, double? SyncedRssMiB = null, double? PeakRssSinceSyncMiB = null, double? GcCommittedMiB = null,
    long Failures = 0, double? SyncSeconds = null, string? Selector = null, long ShardFiltered = 0, IReadOnlyList<string>? Members = null)
{
    /// <param name="collect">True (the final line): heapMiB after a full blocking collection. False (periodic
    /// lines): the heap as the last collection left it, so that reporting does not cost a collection each time.</param>
    public static SyncResult Of<T>(Informer<T> informer, RelistGate gate, ShardGroup? group = null, bool collect = true)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        // Hashed from the store's keys and versions: no object is built, so the heap measured next is the store's.
        var (objects, keysSha256) = Fingerprint(informer.Store);
        var s = informer.Statistics;
        return new SyncResult(objects, keysSha256, s.Relists, s.WatchRestarts, s.WatchExpired, s.Events,
            s.Failures, gate.MaxInFlight, Math.Round(SyncMemory.PeakRssMiB(), 1),
            Math.Round(collect ? ProcessMemory.RetainedHeapMiB() : GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, 1),
            SyncMemory.SyncedRssMiB, SyncMemory.PeakRssSinceSyncMiB(), Math.Round(GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0, 1),
            s.Failures, SyncMemory.SyncSeconds, informer.ShardSelector?.ToString(), s.ShardFiltered, group?.Members);
    }

    private static (int Objects, string KeysSha256) Fingerprint<T>(IStore<T> store)
        where T : class
    {
        var versions = store.ListResourceVersions();
        return (versions.Count, StreamList.Testing.KeysSha256.Compute(versions.Select(v =>
        {
            var (ns, name) = ObjectKey.Split(v.Key);
            return (ns, name, v.ResourceVersion);
        })));
    }
}

/// <summary>The resident set at the first sync, and peaks before and after it (VmHWM is reset at the sync).</summary>
internal static class SyncMemory
{
    private static double s_peakBeforeSync = -1;

    public static double? SyncedRssMiB { get; private set; }

    public static double? SyncSeconds { get; private set; }

    /// <summary>Takes the steady state after the first sync: a full collection, the resident set, then a fresh peak.</summary>
    public static void Synced(TimeSpan took)
    {
        SyncSeconds = Math.Round(took.TotalSeconds, 2);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        s_peakBeforeSync = ProcessMemory.PeakRssMiB();
        SyncedRssMiB = Math.Round(ProcessMemory.RssMiB(), 1);
        if (!ProcessMemory.ResetPeakRss())
            s_peakBeforeSync = -1; // VmHWM keeps the whole run: no peak since sync to report
    }

    public static double PeakRssMiB() => Math.Max(s_peakBeforeSync, ProcessMemory.PeakRssMiB());

    public static double? PeakRssSinceSyncMiB() => SyncedRssMiB is null || s_peakBeforeSync < 0 ? null : Math.Round(ProcessMemory.PeakRssMiB(), 1);
}
