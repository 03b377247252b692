using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace StreamList.MemoryBench;

/// <summary>
/// The storm benchmark (issue: informer survives 410 storms): a server process with N pods whose
/// compactions end every watch with 410; the steady heap of a synced informer is measured first
/// (mode informer-objects, fresh process); then <c>streamlist sync</c> runs in a fresh process under
/// DOTNET_GCHeapHardLimit = 2 × that heap while the server storms (rate MODIFIED/s, a compaction
/// every few seconds) for S seconds, and keeps running after the storm so it can converge.
/// Prints one JSON line: survival, relists, expired watches, max relists in flight, convergence.
/// </summary>
internal static class StormRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int pods = BenchProcess.Count(args, "--pods", 20_000);
        int rate = BenchProcess.Count(args, "--rate", 4000);
        double seconds = BenchProcess.Number(args, "--seconds", 60);
        double compactEvery = BenchProcess.Number(args, "--compact-every", 3);
        // After the storm the informer needs a whole relist (and maybe a backoff) to converge: a
        // 500k-pod list takes about a minute here, so the time to settle grows with the pods.
        double settle = BenchProcess.Number(args, "--settle", Math.Max(60, pods / 2500));
        string dir = AppContext.BaseDirectory;
        string cli = Path.Combine(dir, "StreamList.Cli.dll");

        using var server = BenchProcess.Start(cli, $"serve --pods {pods} --watch-history 1000000 --expire-watches-on-compaction", null);
        string url = (await server.StandardOutput.ReadLineAsync())?.Trim() ?? throw new InvalidOperationException("the server printed no URL");
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };

        Console.Error.WriteLine($"server {url}: measuring the steady heap of a synced informer");
        var steady = await RunJsonAsync(Path.Combine(dir, "StreamList.MemoryBench.dll"), $"client --mode informer-objects --server {url} --pods {pods}", null);
        double steadyHeapMiB = steady.GetProperty("heapMiB").GetDouble();
        long limit = (long)(2 * steadyHeapMiB * 1048576);
        Console.Error.WriteLine($"steady heap {steadyHeapMiB:0} MiB; storm at {rate}/s, compaction every {compactEvery} s, for {seconds} s, under a {limit / 1048576} MiB hard limit");

        (await http.PostAsync($"/streamlist/storm?rate={rate}&compactEverySeconds={compactEvery.ToString(CultureInfo.InvariantCulture)}", null)).EnsureSuccessStatusCode();
        var clock = Stopwatch.StartNew();
        var env = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = limit.ToString("x", CultureInfo.InvariantCulture) };
        var sync = RunJsonAsync(cli, $"sync --server {url} --resource pods --seconds {(seconds + settle).ToString(CultureInfo.InvariantCulture)} --summary --quiet", env);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        (await http.DeleteAsync("/streamlist/storm")).EnsureSuccessStatusCode();
        double stormSeconds = clock.Elapsed.TotalSeconds;
        JsonElement result;
        string? error = null;
        try
        {
            result = await sync;
        }
        catch (InvalidOperationException e)
        {
            result = default;
            error = e.Message;
        }
        var state = await http.GetFromJsonAsync<JsonElement>("/streamlist/state");
        server.Kill(entireProcessTree: true);

        var line = new Dictionary<string, object?>
        {
            ["mode"] = "storm",
            ["pods"] = pods,
            ["rate"] = rate,
            ["compactEverySeconds"] = compactEvery,
            ["stormSeconds"] = Math.Round(stormSeconds, 1),
            ["settleSeconds"] = settle,
            ["steadyHeapMiB"] = steadyHeapMiB,
            ["hardLimitMiB"] = limit / 1048576,
            ["survived"] = error is null,
            ["error"] = error,
            ["converged"] = error is null && result.GetProperty("keysSha256").GetString() == state.GetProperty("keysSha256").GetString(),
            ["client"] = error is null ? result : null,
            ["serverResourceVersion"] = state.GetProperty("resourceVersion").GetString(),
        };
        Console.WriteLine(JsonSerializer.Serialize(line));
        return error is null ? 0 : 1;
    }

    private static async Task<JsonElement> RunJsonAsync(string dll, string arguments, IDictionary<string, string>? env)
    {
        using var p = BenchProcess.Start(dll, arguments, env);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        string output = await stdout;
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(dll)} {arguments.Split(' ')[0]} exited {p.ExitCode}: {(await stderr).Trim()}");
        return JsonSerializer.Deserialize<JsonElement>(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
    }


}
