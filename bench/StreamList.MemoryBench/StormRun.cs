using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace StreamList.MemoryBench;

/// <summary>
/// The storm benchmark: a server process with N pods whose compactions end every watch with 410. The
/// steady heap of a synced informer with the chosen store is measured first (mode informer-objects,
/// informer-compact or informer-compressed, fresh process); then <c>streamlist sync</c> with that store runs in
/// a fresh process under DOTNET_GCHeapHardLimit = limit factor × that heap (default 2), syncs,
/// and only then the server storms (rate MODIFIED/s, a compaction every few seconds) for S seconds;
/// the child keeps running after the storm so it can converge. Prints one JSON line: survival,
/// convergence, the child's summary (steady RSS at its sync, peak RSS after it), the relist peak
/// ratio, and the server's count of requests by kind (a relist delegated to etcd would show as
/// <c>ExactList</c>).
/// </summary>
internal static class StormRun
{
    /// <param name="settleSeconds">Seconds to converge after the storm; null: max(60, pods / 2500). After the storm the
    /// informer needs a whole relist (and maybe a backoff) to converge: a 500k-pod list takes about a minute
    /// here, so the time to settle grows with the pods.</param>
    /// <param name="store">objects, compact or compressed: the informer's store, in the steady measurement and in the storm.</param>
    /// <param name="limitFactor">The informer's hard heap limit as a multiple of the steady heap.</param>
    public static async Task<int> RunAsync(int pods, int rate, double seconds, double compactEvery, double? settleSeconds, string store, double limitFactor,
        Dictionary<string, string> clientEnv)
    {
        var (steadyMode, syncStore) = store switch
        {
            "objects" => ("informer-objects", "--store objects"),
            "compact" => ("informer-compact", "--store compact"),
            _ => ("informer-compressed", "--store compact --compression zstd"),
        };
        double settle = settleSeconds ?? Math.Max(60, pods / 2500);
        // Each summary hashes every key and takes a full blocking collection: at 500k pods a few seconds, so not too often.
        double summaryEvery = Math.Max(5, pods / 25_000.0);
        string dir = AppContext.BaseDirectory;
        string cli = Path.Combine(dir, "StreamList.Cli.dll");

        using var server = BenchProcess.Start(cli, $"serve --pods {pods} --watch-history 1000000 --expire-watches-on-compaction", null);
        string url = (await server.StandardOutput.ReadLineAsync())?.Trim() ?? throw new InvalidOperationException("the server printed no URL");
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };

        Console.Error.WriteLine($"server {url}: measuring the steady heap of a synced informer");
        var steady = await RunJsonAsync(Path.Combine(dir, "StreamList.MemoryBench.dll"), $"client --mode {steadyMode} --server {url} --pods {pods}", null);
        double steadyHeapMiB = steady.GetProperty("heapMiB").GetDouble();
        long limit = (long)(limitFactor * steadyHeapMiB * 1048576);
        Console.Error.WriteLine($"steady heap {steadyHeapMiB:0} MiB; sync under a {limit / 1048576} MiB hard limit, then a storm at {rate}/s, compaction every {compactEvery} s, for {seconds} s");

        var env = new Dictionary<string, string>(clientEnv); // GC settings for the informer's process, e.g. DOTNET_GCConserveMemory=5
        env["DOTNET_GCHeapHardLimit"] = limit.ToString("x", CultureInfo.InvariantCulture);
        var requestsBefore = await RequestsAsync(http);
        await using var sync = new SyncChild(BenchProcess.Start(cli,
            $"sync --server {url} --resource pods {syncStore} --seconds 86400 --summary --summary-every {summaryEvery.ToString(CultureInfo.InvariantCulture)} --quiet", env));
        var last = await sync.UntilAsync(s => s.GetProperty("syncedRssMiB").ValueKind == JsonValueKind.Number, TimeSpan.MaxValue);
        double stormSeconds = 0;
        JsonElement state = default;
        if (last is not null)
        {
            Console.Error.WriteLine($"synced at {last.Value.GetProperty("syncedRssMiB")} MiB RSS; storming");
            (await http.PostAsync($"/streamlist/storm?rate={rate}&compactEverySeconds={compactEvery.ToString(CultureInfo.InvariantCulture)}", null)).EnsureSuccessStatusCode();
            var clock = Stopwatch.StartNew();
            await Task.WhenAny(sync.Exited, Task.Delay(TimeSpan.FromSeconds(seconds)));
            (await http.DeleteAsync("/streamlist/storm")).EnsureSuccessStatusCode();
            stormSeconds = clock.Elapsed.TotalSeconds;
            state = await http.GetFromJsonAsync<JsonElement>("/streamlist/state");
            string keys = state.GetProperty("keysSha256").GetString()!;
            last = await sync.UntilAsync(s => s.GetProperty("keysSha256").GetString() == keys, TimeSpan.FromSeconds(settle)) ?? sync.Latest;
        }
        var requests = await RequestsAsync(http);
        string? error = sync.Exited.IsCompleted ? await sync.FailureAsync() : null;
        server.Kill(entireProcessTree: true);

        double? synced = last?.GetProperty("syncedRssMiB").GetDouble();
        double? peak = last?.GetProperty("peakRssSinceSyncMiB") is { ValueKind: JsonValueKind.Number } p ? p.GetDouble() : null;
        var line2 = new Dictionary<string, object?>
        {
            ["mode"] = "storm",
            ["pods"] = pods,
            ["store"] = store,
            ["rate"] = rate,
            ["compactEverySeconds"] = compactEvery,
            ["stormSeconds"] = Math.Round(stormSeconds, 1),
            ["settleSeconds"] = settle,
            ["steadyHeapMiB"] = steadyHeapMiB,
            ["hardLimitMiB"] = limit / 1048576,
            ["clientEnv"] = string.Join(",", env.Select(kv => kv.Key + "=" + kv.Value)),
            ["survived"] = error is null,
            ["error"] = error,
            ["converged"] = error is null && state.ValueKind == JsonValueKind.Object
                && last!.Value.GetProperty("keysSha256").GetString() == state.GetProperty("keysSha256").GetString(),
            ["relistPeakOverSyncedRss"] = synced is > 0 && peak is { } pk ? Math.Round(pk / synced.Value, 3) : null,
            ["serverRequestsDuringStorm"] = requests.ToDictionary(kv => kv.Key, kv => kv.Value - requestsBefore.GetValueOrDefault(kv.Key)),
            ["watchesExpiredByCompaction"] = state.ValueKind == JsonValueKind.Object ? state.GetProperty("watchesExpiredByCompaction").GetInt64() : null,
            ["client"] = last,
            ["serverResourceVersion"] = state.ValueKind == JsonValueKind.Object ? state.GetProperty("resourceVersion").GetString() : null,
        };
        Console.WriteLine(JsonSerializer.Serialize(line2));
        return error is null ? 0 : 1;
    }

    private static async Task<Dictionary<string, long>> RequestsAsync(HttpClient http)
    {
        var state = await http.GetFromJsonAsync<JsonElement>("/streamlist/state");
        return state.GetProperty("requests").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    internal static async Task<JsonElement> RunJsonAsync(string dll, string arguments, IDictionary<string, string>? env)
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
