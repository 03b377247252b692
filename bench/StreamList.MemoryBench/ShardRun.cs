using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StreamList.MemoryBench;

/// <summary>
/// The scale-out benchmark: a server process with N pods (warmed by one list); first one
/// <c>streamlist sync</c> process holding every pod (the baseline), then each of M shards synced
/// alone in its own process (<c>--shard-selector</c>: what a member on its own machine sees), then M
/// member processes started together in one shard group
/// (<c>sync --shard-group</c>, Leases on the same server), each holding its shard. When all have
/// synced and see each other, one member is killed (no clean leave: its Lease stays until it
/// expires) and the survivors are watched until their caches again cover every pod. Prints one JSON
/// line: the baseline's and each shard's list time (syncSeconds) and peak RSS alone, their ratios,
/// the same for the members started together (sharing this machine's cores), and the seconds from
/// the kill to full coverage (to within the survivors' summary interval).
/// </summary>
internal static class ShardRun
{
    public static async Task<int> RunAsync(int pods, int members, double leaseSeconds, double summaryEvery)
    {
        string dir = AppContext.BaseDirectory;
        string cli = Path.Combine(dir, "StreamList.Cli.dll");
        using var server = BenchProcess.Start(cli, $"serve --pods {pods} --nodes 0", null);
        string url = (await server.StandardOutput.ReadLineAsync())?.Trim() ?? throw new InvalidOperationException("the server printed no URL");
        try
        {
            Console.Error.WriteLine($"server {url}: warming its size cache");
            await BenchProcess.WarmServerAsync(url);
            Console.Error.WriteLine($"one process holding all {pods:N0} pods");
            var whole = await StormRun.RunJsonAsync(cli, $"sync --server {url} --resource pods --summary --quiet", null);
            Check(whole, pods, "the baseline");
            double wholeSync = whole.GetProperty("syncSeconds").GetDouble(), wholePeak = whole.GetProperty("peakRssMiB").GetDouble();
            var alone = new List<object>();
            for (int i = 0; i < members; i++)
            {
                string selector = Sharding.ShardSelector.Of(i, members).ToString();
                Console.Error.WriteLine($"shard {i} of {members} alone");
                var s = await StormRun.RunJsonAsync(cli, $"sync --server {url} --resource pods --shard-selector \"{selector}\" --summary --quiet", null);
                alone.Add(Figures(s, wholeSync, wholePeak));
            }

            Console.Error.WriteLine($"{members} members in one shard group (lease {leaseSeconds} s)");
            string lease = leaseSeconds.ToString(CultureInfo.InvariantCulture);
            string every = summaryEvery.ToString(CultureInfo.InvariantCulture);
            var children = Enumerable.Range(0, members).Select(i => new SyncChild(BenchProcess.Start(cli,
                $"sync --server {url} --resource pods --shard-group bench --identity member-{i} --lease-seconds {lease} --seconds 86400 --summary --summary-every {every} --quiet", null))).ToArray();
            await using var cleanup = new Children(children);
            var launched = Stopwatch.StartNew();
            var synced = await UntilCoveredAsync(children, pods, members, TimeSpan.FromMinutes(30))
                ?? throw new InvalidOperationException("the members did not cover every pod: " + await FailuresAsync(children));
            double allSynced = launched.Elapsed.TotalSeconds;

            Console.Error.WriteLine($"covered after {allSynced:0.0} s; killing member-1");
            children[1].Kill();
            var killed = Stopwatch.StartNew();
            var survivors = children.Where((_, i) => i != 1).ToArray();
            var after = await UntilCoveredAsync(survivors, pods, members - 1, TimeSpan.FromMinutes(10))
                ?? throw new InvalidOperationException("the survivors did not cover every pod: " + await FailuresAsync(survivors));
            double coverage = killed.Elapsed.TotalSeconds;

            var line = new Dictionary<string, object?>
            {
                ["mode"] = "shards",
                ["pods"] = pods,
                ["members"] = members,
                ["leaseSeconds"] = leaseSeconds,
                ["summaryEverySeconds"] = summaryEvery,
                ["whole"] = new { syncSeconds = wholeSync, peakRssMiB = wholePeak, objects = whole.GetProperty("objects").GetInt32() },
                ["shardAlone"] = alone,
                ["memberTogether"] = synced.Select(s => Figures(s, wholeSync, wholePeak)).ToArray(),
                ["launchToCoveredSeconds"] = Math.Round(allSynced, 1),
                ["killToCoveredSeconds"] = Math.Round(coverage, 1),
                ["survivors"] = after.Select(s => new { objects = s.GetProperty("objects").GetInt32(), relists = s.GetProperty("relists").GetInt64(), peakRssMiB = s.GetProperty("peakRssMiB").GetDouble() }).ToArray(),
            };
            Console.WriteLine(JsonSerializer.Serialize(line, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// The members' summaries once every one has synced, sees <paramref name="members"/> members, and
    /// together they hold <paramref name="pods"/> objects (disjoint shards by construction, so all of them).
    /// </summary>
    private static async Task<JsonElement[]?> UntilCoveredAsync(SyncChild[] children, int pods, int members, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            var latest = children.Select(c => c.Latest).ToArray();
            if (latest.All(s => s is { } j && j.GetProperty("syncedRssMiB").ValueKind == JsonValueKind.Number
                    && j.GetProperty("members").ValueKind == JsonValueKind.Array && j.GetProperty("members").GetArrayLength() == members)
                && latest.Sum(s => s!.Value.GetProperty("objects").GetInt32()) == pods)
                return [.. latest.Select(s => s!.Value)];
            if (children.Any(c => c.Exited.IsCompleted))
                return null;
            await Task.Delay(100);
        }
        return null;
    }

    private static async Task<string> FailuresAsync(SyncChild[] children)
    {
        var exited = children.Where(c => c.Exited.IsCompleted).ToArray();
        return exited.Length == 0 ? "timed out" : string.Join("; ", await Task.WhenAll(exited.Select(c => c.FailureAsync())));
    }

    private static object Figures(JsonElement s, double wholeSync, double wholePeak) => new
    {
        objects = s.GetProperty("objects").GetInt32(),
        syncSeconds = s.GetProperty("syncSeconds").GetDouble(),
        peakRssMiB = s.GetProperty("peakRssMiB").GetDouble(),
        syncOverWhole = Math.Round(s.GetProperty("syncSeconds").GetDouble() / wholeSync, 3),
        peakOverWhole = Math.Round(s.GetProperty("peakRssMiB").GetDouble() / wholePeak, 3),
        selector = s.GetProperty("selector").GetString(),
    };

    private static void Check(JsonElement summary, int pods, string what)
    {
        if (summary.GetProperty("objects").GetInt32() != pods)
            throw new InvalidOperationException($"{what} holds {summary.GetProperty("objects")} objects, not {pods}");
    }

    private sealed class Children(SyncChild[] children) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var child in children)
                await child.DisposeAsync();
        }
    }
}
