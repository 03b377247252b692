using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Measurement;

namespace StreamList.Cli.Commands;

/// <summary>
/// <c>streamlist sync</c>: runs an informer on one resource for a while (list, watch, relist on 410,
/// backoff), with live figures on stderr; with <c>--summary</c> prints one JSON line
/// <c>{objects, keysSha256, relists, watchRestarts, watchExpired, events, backoffs, maxRelistsInFlight, peakRssMiB, heapMiB,
/// syncedRssMiB, peakRssSinceSyncMiB, gcCommittedMiB}</c> at the end,
/// and with <c>--summary-every S</c> also every S seconds while it runs (for scripts that watch a long sync converge).
/// </summary>
internal sealed class SyncCommand : ICommand
{
    public string Name => "sync";

    public string Summary => "run an informer for a while; print its cache's keysSha256 and figures";

    public string Usage => "sync --server URL | --kubeconfig PATH --resource pods [--namespace NS] [--seconds S] [--store objects|compact] [--watch-list] [--summary [--summary-every S]] [--quiet]";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, [.. ClusterConnection.Options, ["--resource"], ["--namespace", "-n"], ["--seconds"], ["--store"], ["--summary-every"]],
            ["--summary", "--watch-list", "--quiet"]);
        if (line.Positionals.Count > 0)
            throw new UsageException($"unexpected argument '{line.Positionals[0]}'");
        var type = ResourceTypes.Find(line.Value("--resource") ?? throw new UsageException("--resource is missing"));
        double seconds = Arguments.Double(line, "--seconds", min: 0) ?? 0;
        double? every = Arguments.Double(line, "--summary-every", min: 0.1);
        if (every is not null && !line.Flag("--summary"))
            throw new UsageException("--summary-every needs --summary");
        var store = (line.Value("--store") ?? "objects") switch
        {
            "objects" => StoreMode.Objects,
            "compact" => StoreMode.Compact,
            var s => throw new UsageException($"--store must be objects or compact, not '{s}'"),
        };
        using var client = ClusterConnection.Create(line);
        var run = typeof(SyncCommand).GetMethod(nameof(SyncAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type);
        var settings = new SyncSettings(line.Value("--namespace"), TimeSpan.FromSeconds(seconds), store, line.Flag("--watch-list"), line.Flag("--quiet"),
            every is { } e ? TimeSpan.FromSeconds(e) : null);
        var result = await ((Task<SyncResult>)run.Invoke(null, [client, settings, console, cancellationToken])!).ConfigureAwait(false);
        if (line.Flag("--summary"))
            console.Out.WriteLine(JsonSerializer.Serialize(result, ListResult.JsonOptions));
        else
            console.Out.WriteLine($"{result.Objects:N0} objects, keysSha256 {result.KeysSha256}, {result.Relists} relists, {result.WatchRestarts} watch restarts");
        return ExitCodes.Ok;
    }

    internal sealed record SyncSettings(string? Namespace, TimeSpan Duration, StoreMode Store, bool WatchList, bool Quiet, TimeSpan? SummaryEvery = null);

    internal static async Task<SyncResult> SyncAsync<T>(Kubernetes client, SyncSettings settings, CliConsole console, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var streaming = StreamingOptions.Default;
        var gate = new RelistGate();
        await using var informer = new Informer<T>(client.CreateListWatch<T>(settings.Namespace, streaming),
            new InformerOptions<T> { StoreMode = settings.Store, UseWatchList = settings.WatchList, RelistGate = gate });
        var clock = Stopwatch.StartNew();
        await using (var display = settings.Quiet ? null : ProgressDisplay.Start(console.Error, () => Status(informer)))
        await using (var summaries = settings.SummaryEvery is { } every
            ? ProgressDisplay.Start(console.Out, () => JsonSerializer.Serialize(SyncResult.Of(informer, gate), ListResult.JsonOptions), every, lines: true)
            : null)
        {
            informer.Start();
            await informer.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            SyncMemory.Synced();
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
        return SyncResult.Of(informer, gate);
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
/// <c>peakRssMiB</c> covers the whole run; <c>syncedRssMiB</c> is the resident set right after the first sync
/// (after a full collection: the steady state), <c>peakRssSinceSyncMiB</c> the peak from then on (relists,
/// storms), both null until synced; <c>gcCommittedMiB</c> is the memory the GC holds committed now (heap and free space it keeps).
/// </remarks>
internal sealed record SyncResult(int Objects, string KeysSha256, long Relists, long WatchRestarts, long WatchExpired, long Events,
    long Backoffs, int MaxRelistsInFlight, double PeakRssMiB, double HeapMiB, double? SyncedRssMiB = null, double? PeakRssSinceSyncMiB = null, double? GcCommittedMiB = null)
{
    public static SyncResult Of<T>(Informer<T> informer, RelistGate gate)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var items = informer.Store.List();
        var s = informer.Statistics;
        return new SyncResult(items.Count, StreamList.Testing.KeysSha256.Compute(items.Select(i => i.Metadata)), s.Relists, s.WatchRestarts, s.WatchExpired, s.Events,
            s.Failures, gate.MaxInFlight, Math.Round(SyncMemory.PeakRssMiB(), 1), Math.Round(ProcessMemory.RetainedHeapMiB(), 1),
            SyncMemory.SyncedRssMiB, SyncMemory.PeakRssSinceSyncMiB(), Math.Round(GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0, 1));
    }
}

/// <summary>The resident set at the first sync, and peaks before and after it (VmHWM is reset at the sync).</summary>
internal static class SyncMemory
{
    private static double s_peakBeforeSync = -1;

    public static double? SyncedRssMiB { get; private set; }

    /// <summary>Takes the steady state after the first sync: a full collection, the resident set, then a fresh peak.</summary>
    public static void Synced()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        s_peakBeforeSync = ProcessMemory.PeakRssMiB();
        SyncedRssMiB = Math.Round(ProcessMemory.RssMiB(), 1);
        if (!ProcessMemory.ResetPeakRss())
            s_peakBeforeSync = -1; // VmHWM keeps the whole run: no peak since sync to report
    }

    public static double PeakRssMiB() => Math.Max(s_peakBeforeSync, ProcessMemory.PeakRssMiB());

    public static double? PeakRssSinceSyncMiB() => SyncedRssMiB is null || s_peakBeforeSync < 0 ? null : Math.Round(ProcessMemory.PeakRssMiB(), 1);
}
