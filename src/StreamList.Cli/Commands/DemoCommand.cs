using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Http;
using StreamList.Informers;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Testing.Measurement;
using StreamList.Testing.Server;

namespace StreamList.Cli.Commands;

/// <summary>
/// <c>streamlist demo</c>: the whole chain against the embedded fake API server, in three acts:
/// a streaming list with live progress; an informer following the server's churn; a storm (fast
/// MODIFIED events, compactions that expire every watch with 410) that forces relists. It ends by
/// itself, prints a summary and exits 0 when the informer's cache converged to the server's state.
/// </summary>
internal sealed class DemoCommand : ICommand
{
    private readonly Option<int> _pods = CliOptions.Int("--pods", "N", "pods on the embedded server", min: 1, defaultValue: 20_000);
    private readonly Option<double> _seconds = CliOptions.Double("--seconds", "S", "how long the storm act runs at most", min: 3, defaultValue: 20);
    private readonly Option<bool> _quiet = CliOptions.Quiet();

    public DemoCommand()
    {
        Declaration = new Command("demo", "list, watch and survive a 410 storm against the embedded fake API server") { _pods, _seconds, _quiet };
    }

    public Command Declaration { get; }

    public async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        int pods = parsed.GetValue(_pods);
        double seconds = parsed.GetValue(_seconds);
        bool quiet = parsed.GetValue(_quiet);
        var w = console.Error;

        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            Pods = pods,
            CompactionExpiresWatches = true,
            WatchHistorySize = 100_000,
        }, cancellationToken).ConfigureAwait(false);
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var streaming = StreamingOptions.Default;
        w.WriteLine($"fake API server at {server.BaseAddress} with {pods:N0} pods");

        // Act 1: one streaming list, every pod held as V1Pod.
        w.WriteLine("1/3  streaming list (protobuf, items decoded one at a time as bytes arrive)");
        var progress = new ListProgress();
        var held = new List<V1Pod>(pods);
        var clock = Stopwatch.StartNew();
        await using (var display = quiet ? null : ProgressDisplay.Start(w, () => $"     {progress.Items:N0} pods, {progress.Bytes / 1048576.0:N1} MiB, RSS {ProcessMemory.RssMiB():N0} MiB"))
        {
            await foreach (var pod in client.ListStreamingAsync<V1Pod>(progress: progress, options: streaming, cancellationToken: cancellationToken).ConfigureAwait(false))
                held.Add(pod);
        }
        w.WriteLine($"     listed {held.Count:N0} pods ({progress.Bytes / 1048576.0:N1} MiB) in {clock.Elapsed.TotalSeconds:N1} s; heap {ProcessMemory.RetainedHeapMiB():N0} MiB");
        held = null;

        // Act 2: an informer follows steady churn.
        var phase = TimeSpan.FromSeconds(seconds * 0.4);
        w.WriteLine($"2/3  informer following 200 changes/s for {phase.TotalSeconds:N0} s");
        long adds = 0, updates = 0, deletes = 0;
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(options: streaming), new InformerOptions<V1Pod>(), "pods");
        await using var counting = informer.AddEventHandler(ResourceEventHandler<V1Pod>.From(
            (_, _) => Interlocked.Increment(ref adds), (_, _) => Interlocked.Increment(ref updates), (_, _) => Interlocked.Increment(ref deletes)));
        await using (var display = quiet ? null : ProgressDisplay.Start(w, () => "     " + SyncCommand.Status(informer)))
        {
            informer.Start();
            await informer.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            server.StartStorm(200);
            await Task.Delay(phase, cancellationToken).ConfigureAwait(false);
            await server.StopStorm().ConfigureAwait(false);

            // Act 3: a storm; every compaction ends every watch with 410, the informer relists.
            w.WriteLine($"\n3/3  storm: 2,000 changes/s, compaction (410 on every watch) every 3 s, for {phase.TotalSeconds:N0} s");
            server.StartStorm(2000, TimeSpan.FromSeconds(3));
            await Task.Delay(phase, cancellationToken).ConfigureAwait(false);
            await server.StopStorm().ConfigureAwait(false);
            w.WriteLine("\n     storm over; waiting for the cache to converge");
            // Up to a minute: the informer may be in a backoff of up to twice client-go's 30 s cap
            // when the storm stops; it usually converges within a few seconds.
            var deadline = Stopwatch.StartNew();
            while (Keys(informer) != server.GetState().KeysSha256 && deadline.Elapsed < TimeSpan.FromSeconds(Math.Max(60, seconds)))
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        var state = server.GetState();
        string keys = Keys(informer);
        var s = informer.Statistics;
        var summary = new
        {
            objects = informer.Store.Count,
            keysSha256 = keys,
            serverKeysSha256 = state.KeysSha256,
            converged = keys == state.KeysSha256,
            relists = s.Relists,
            watchRestarts = s.WatchRestarts,
            watchExpired = s.WatchExpired,
            events = s.Events,
            handlerNotifications = new { adds, updates, deletes },
            peakRssMiB = Math.Round(ProcessMemory.PeakRssMiB(), 1),
            heapMiB = Math.Round(ProcessMemory.RetainedHeapMiB(), 1),
        };
        console.Out.WriteLine(JsonSerializer.Serialize(summary));
        await informer.StopAsync().ConfigureAwait(false);
        if (!summary.converged)
        {
            w.WriteLine("demo: the informer's cache did not converge to the server's state");
            return ExitCodes.Failure;
        }
        w.WriteLine($"demo: converged: {summary.objects:N0} pods, {summary.relists} relists after {summary.watchExpired} expired watches, peak RSS {summary.peakRssMiB:N0} MiB");
        return ExitCodes.Ok;
    }

    private static string Keys(Informer<V1Pod> informer) => KeysSha256.Compute(informer.Store.List().Select(p => p.Metadata));
}
