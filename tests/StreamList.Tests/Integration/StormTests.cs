using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StreamList.Testing.Server;
using Xunit.Abstractions;

namespace StreamList.Tests.Integration;

/// <summary>
/// The storm, at CI size (20,000 pods; 500,000 in the memory benchmark): 4,000 MODIFIED/s with a
/// compaction every 3 s that ends every watch with 410. The informer runs in its own process
/// (<c>streamlist sync</c>) under DOTNET_GCHeapHardLimit = 2 × its steady heap, measured in the
/// same test. It must survive, never run two relists at once, back off after every failure, and
/// converge to the server's keysSha256 once the storm stops.
/// </summary>
public class StormTests(ITestOutputHelper output)
{
    private sealed record Summary(int Objects, string KeysSha256, long Relists, long WatchRestarts, long WatchExpired, long Events,
        long Backoffs, int MaxRelistsInFlight, double PeakRssMiB, double HeapMiB);

    [Fact]
    public async Task An_informer_survives_a_410_storm_under_a_hard_heap_limit_and_converges()
    {
        const int pods = 20_000;
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            Pods = pods, Seed = 5, CompactionExpiresWatches = true, WatchHistorySize = 200_000,
        });
        await Task.Run(() => server.Population.MeasureAll());
        string url = server.BaseAddress.ToString();

        var (steady, _) = await SyncAsync(url, seconds: 0, hardLimitBytes: null);
        Assert.Equal(pods, steady.Objects);
        long limit = (long)(2 * steady.HeapMiB * 1024 * 1024);
        output.WriteLine($"steady heap {steady.HeapMiB} MiB -> DOTNET_GCHeapHardLimit {limit / 1048576} MiB");

        server.StartStorm(4000, TimeSpan.FromSeconds(3));
        var storm = Stopwatch.StartNew();
        // The child runs 60 s: 18 s of storm, then time for the backoff it may be in when the storm
        // stops (after 4-5 failures client-go's backoff waits 6.4-25.6 s) and one more relist. With
        // 30 s it once missed convergence (4 backoffs, 12 s left).
        var child = SyncAsync(url, seconds: 60, hardLimitBytes: limit);
        await Task.Delay(TimeSpan.FromSeconds(18));
        await server.StopStorm();
        double rate = server.StormEvents / storm.Elapsed.TotalSeconds;
        var (after, stderr) = await child;
        var state = server.GetState();
        output.WriteLine($"storm {server.StormEvents} events ({rate:0}/s); child: {JsonSerializer.Serialize(after)}");

        Assert.Equal(state.KeysSha256, after.KeysSha256);
        Assert.Equal(state.Count, after.Objects);
        Assert.True(after.WatchExpired >= 2, $"watches expired {after.WatchExpired}: {stderr}");
        Assert.True(after.Relists >= 2, $"relists {after.Relists}");
        Assert.Equal(1, after.MaxRelistsInFlight);
        Assert.True(after.Backoffs >= after.WatchExpired, $"backoffs {after.Backoffs} < expired watches {after.WatchExpired}");
    }

    private async Task<(Summary Summary, string Stderr)> SyncAsync(string url, double seconds, long? hardLimitBytes)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "StreamList.Cli.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { cli, "sync", "--server", url, "--resource", "pods", "--seconds", seconds.ToString(CultureInfo.InvariantCulture), "--summary", "--quiet" })
            psi.ArgumentList.Add(a);
        if (hardLimitBytes is { } l)
            psi.Environment["DOTNET_GCHeapHardLimit"] = l.ToString("x", CultureInfo.InvariantCulture);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        string err = await stderr;
        Assert.True(process.ExitCode == 0, $"sync exited {process.ExitCode}: {err}");
        var line = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return (JsonSerializer.Deserialize<Summary>(line, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!, err);
    }
}
