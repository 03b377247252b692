using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StreamList.Testing.Server;
using StreamList.Tests.Support;
using Xunit.Abstractions;

namespace StreamList.Tests.Integration;

/// <summary>
/// The storm, at CI size (20,000 pods and 1,000 MODIFIED/s; 500,000 pods and 4,000/s in the memory benchmark), while the
/// test compacts the server each time the informer has a watch open, which ends that watch with 410.
/// The informer runs in its own process (<c>streamlist sync</c>) under DOTNET_GCHeapHardLimit = 2 × its
/// steady heap, measured in the same test. Rounds are counted, not timed: a compaction happens only
/// once the child has a watch open and has reported the previous expiry, so a slow machine makes the
/// test longer, never red. The child must survive every round, relist from the watch cache (no list
/// delegated to etcd), and converge to the server's keysSha256 once the storm stops. In each store
/// mode (a compact store keeps wire bytes, so its relists allocate differently).
/// </summary>
public class StormTests(ITestOutputHelper output)
{
    private const int Rounds = 4;
    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    private sealed record Summary(int Objects, string KeysSha256, long Relists, long WatchRestarts, long WatchExpired, long Events,
        long Backoffs, int MaxRelistsInFlight, double PeakRssMiB, double HeapMiB);

    [Theory]
    [InlineData("objects", "none")]
    [InlineData("compact", "none")]
    [InlineData("compact", "zstd")]
    public async Task An_informer_survives_a_410_storm_under_a_hard_heap_limit_and_converges(string store, string compression)
    {
        const int pods = 20_000;
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            // 200 s of history at 1,000/s: a relist slower than the history (at 4,000/s, 50 s, which a loaded machine
            // exceeded) finds its watch expired at once and relists again, for as long as the storm lasts.
            Pods = pods, Seed = 5, CompactionExpiresWatches = true, WatchHistorySize = 200_000,
        });
        await Task.Run(() => server.Population.MeasureAll());
        string url = server.BaseAddress.ToString();

        Summary steady;
        await using (var first = SyncProcess.Start(url, [store, compression], seconds: 0, hardLimitBytes: null))
            steady = await first.ExitedAsync();
        Assert.Equal(pods, steady.Objects);
        long limit = (long)(2 * steady.HeapMiB * 1024 * 1024);
        output.WriteLine($"steady heap {steady.HeapMiB} MiB -> DOTNET_GCHeapHardLimit {limit / 1048576} MiB");
        long cacheListsBefore = server.CountRequests(RequestKind.CacheList);

        var clock = Stopwatch.StartNew();
        await using var child = SyncProcess.Start(url, [store, compression], seconds: 3600, hardLimitBytes: limit); // runs until the test disposes it
        await child.UntilAsync(s => s.Objects == pods, "the first sync");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: synced");
        // 5% of the pods a second. At 4,000/s the server's storm loop alone took a core, and beside a build the test took 10 min.
        server.StartStorm(1000);
        for (int hits = 0; hits < Rounds;)
        {
            var seen = await child.UntilAsync(_ => server.WatcherCount > 0, $"a watch open before round {hits + 1}");
            long expiredBefore = server.WatchesExpiredByCompaction;
            server.Compact();
            if (server.WatchesExpiredByCompaction > expiredBefore)
            {
                hits++;
                var saw = await child.UntilAsync(s => s.WatchExpired >= server.WatchesExpiredByCompaction, $"the child to see round {hits}'s 410");
                output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: round {hits} seen; child {JsonSerializer.Serialize(saw)}");
            }
            else
            {
                // The watch ended between the check and the compaction: try again after the child's next report.
                await child.UntilAsync(s => !ReferenceEquals(s, seen), "the next summary");
            }
        }
        await server.StopStorm();
        var state = server.GetState();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: storm stopped");
        var after = await child.UntilAsync(s => s.KeysSha256 == state.KeysSha256 && s.Relists >= Rounds, "convergence after the storm");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: converged");
        output.WriteLine($"storm {server.StormEvents} events; expired by compaction {server.WatchesExpiredByCompaction}; child: {JsonSerializer.Serialize(after)}");

        Assert.Equal(state.Count, after.Objects);
        Assert.True(after.WatchExpired >= Rounds, $"watches expired {after.WatchExpired}: {child.Stderr}");
        Assert.True(server.WatchesExpiredByCompaction >= Rounds, $"server expired {server.WatchesExpiredByCompaction} watches");
        // Every relist after a 410 is at the last seen RV without a limit: the watch cache serves it.
        Assert.Equal(0, server.CountRequests(RequestKind.ExactList));
        Assert.Equal(0, server.CountRequests(RequestKind.ConsistentList));
        Assert.True(server.CountRequests(RequestKind.CacheList) - cacheListsBefore >= Rounds + 1,
            $"cache-served lists {server.CountRequests(RequestKind.CacheList) - cacheListsBefore}");
        Assert.True(child.IsRunning, $"the child exited: {child.Stderr}");
    }

    /// <summary>A <c>streamlist sync --summary --summary-every 1</c> child; its summary lines are read as they come.</summary>
    private sealed class SyncProcess : IAsyncDisposable
    {
        // Hang guard only: every wait ends on a counted condition, in seconds on an idle machine.
        private static readonly TimeSpan s_guard = TimeSpan.FromMinutes(8);
        private readonly Process _process;
        private readonly Task<string> _stderr;
        private readonly Task _reader;
        private volatile Summary? _latest;

        private SyncProcess(Process process)
        {
            _process = process;
            _stderr = process.StandardError.ReadToEndAsync();
            _reader = Task.Run(ReadLinesAsync);
        }

        public bool IsRunning => !_process.HasExited;

        public string Stderr => _stderr.IsCompleted ? _stderr.Result : "(still running)";

        public static SyncProcess Start(string url, string[] storeAndCompression, double seconds, long? hardLimitBytes)
        {
            string cli = Path.Combine(AppContext.BaseDirectory, "StreamList.Cli.dll");
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { cli, "sync", "--server", url, "--resource", "pods", "--store", storeAndCompression[0], "--compression", storeAndCompression[1], "--seconds", seconds.ToString(CultureInfo.InvariantCulture),
                         "--summary", "--summary-every", "1", "--quiet" })
                psi.ArgumentList.Add(a);
            if (hardLimitBytes is { } l)
                psi.Environment["DOTNET_GCHeapHardLimit"] = l.ToString("x", CultureInfo.InvariantCulture);
            return new SyncProcess(Process.Start(psi)!);
        }

        /// <summary>The first summary line that satisfies <paramref name="condition"/> (checked again as the server changes).</summary>
        public async Task<Summary> UntilAsync(Func<Summary, bool> condition, string what)
        {
            try
            {
                await FakeTime.Until(() => _latest is { } s && condition(s) || _process.HasExited, (int)s_guard.TotalMilliseconds);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"waiting for {what}; last summary {JsonSerializer.Serialize(_latest)}");
            }
            if (_latest is { } s && condition(s))
                return s;
            Assert.Fail($"the child exited ({_process.ExitCode}) while waiting for {what}: {await _stderr}");
            return null!;
        }

        /// <summary>Waits for the child to exit by itself with 0; its last summary.</summary>
        public async Task<Summary> ExitedAsync()
        {
            await _process.WaitForExitAsync().WaitAsync(s_guard);
            await _reader;
            Assert.True(_process.ExitCode == 0, $"sync exited {_process.ExitCode}: {await _stderr}");
            return _latest ?? throw new InvalidOperationException("no summary line");
        }

        private async Task ReadLinesAsync()
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith('{'))
                    _latest = JsonSerializer.Deserialize<Summary>(line, s_json);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            await _reader;
            _process.Dispose();
        }
    }
}
