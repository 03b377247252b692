using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace StreamList.MemoryBench;

/// <summary>
/// Runs the benchmark: the fake API server (<c>streamlist serve</c>) in its own process, each mode
/// in fresh client processes, round-robin over repeats so noise spreads evenly; prints every JSON
/// line and a Markdown table of medians and ranges.
/// </summary>
internal static class Orchestrator
{
    public static async Task<int> RunAsync(int pods, int repeat, string modeList, Dictionary<string, string> clientEnv)
    {
        string[] modes = modeList.Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (var m in modes)
        {
            string mode = ModeSpec.Parse(m).Mode; // also refuses a malformed environment before anything starts
            if (!ClientModes.All.Contains(mode))
                throw new UsageException($"unknown mode '{mode}'");
        }
        // clientEnv is set in every client process, all modes alike; a mode written MODE@K=V+K=V adds its own.
        string dir = AppContext.BaseDirectory;
        using var server = BenchProcess.Start(Path.Combine(dir, "StreamList.Cli.dll"), $"serve --pods {pods}", env: null);
        string url = (await server.StandardOutput.ReadLineAsync())?.Trim() ?? throw new InvalidOperationException("the server printed no URL");
        Console.Error.WriteLine($"server {url} ({pods:N0} pods); warming its size cache");
        await BenchProcess.WarmServerAsync(url);

        var results = new List<Measurement>();
        for (int r = 0; r < repeat; r++)
        {
            foreach (var mode in modes)
            {
                Console.Error.WriteLine($"run {r + 1}/{repeat}: {mode}");
                var m = await RunClientAsync(dir, mode, url, pods, clientEnv);
                Console.WriteLine(m.ToJson());
                results.Add(m);
            }
        }
        server.Kill(entireProcessTree: true);
        Console.WriteLine();
        Console.WriteLine(Table(results, pods));
        Console.WriteLine(Ratios(results, modes.Length, "kubernetesclient-json"));
        return 0;
    }

    /// <summary>Runs one client process; the measurement is labelled with the whole spec, so variants of a mode group apart.</summary>
    private static async Task<Measurement> RunClientAsync(string dir, string spec, string url, int pods, Dictionary<string, string> clientEnv)
    {
        var (mode, modeEnv) = ModeSpec.Parse(spec);
        var env = new Dictionary<string, string>(clientEnv);
        foreach (var (k, v) in modeEnv)
            env[k] = v;
        using var client = BenchProcess.Start(Path.Combine(dir, "StreamList.MemoryBench.dll"), $"client --mode {mode} --server {url} --pods {pods}", env);
        var stdout = client.StandardOutput.ReadToEndAsync();
        var stderr = client.StandardError.ReadToEndAsync();
        await client.WaitForExitAsync();
        string line = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        try
        {
            return JsonSerializer.Deserialize<Measurement>(line, Measurement.Json)! with { Mode = spec };
        }
        catch (JsonException)
        {
            // The process died without a result (e.g. out of memory): record how it failed.
            string err = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal)) ?? (await stderr).Trim();
            return new Measurement { Mode = spec, Pods = pods, Ok = false, Error = $"exit code {client.ExitCode}: {err}" };
        }
    }



    /// <summary>Median [min–max] per mode; failed runs are listed with their error.</summary>
    public static string Table(IReadOnlyList<Measurement> results, int pods)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| mode ({pods:N0} pods) | runs ok | list s | peak RSS MiB | heap MiB | bytes/pod | allocated MiB | GC pause s | CPU s | relist peak / steady RSS | Get / GetMetadata p50 µs |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(m => m.Mode))
        {
            var ok = group.Where(m => m.Ok).ToList();
            string relist = ok.All(m => m.RelistPeakRssMiB is not null) && ok.Count > 0
                ? Stat(ok.Select(m => m.RelistPeakRssMiB!.Value / m.SteadyRssMiB!.Value), "0.00") : "";
            string reads = ok.Count > 0 && ok.All(m => m.ReadMicroseconds is not null)
                ? $"{Stat(ok.Select(m => m.ReadMicroseconds!.Value), "0.00")} / {Stat(ok.Select(m => m.MetadataReadMicroseconds!.Value), "0.00")}" : "";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Key} | {ok.Count}/{group.Count()} | {Stat(ok.Select(m => m.Seconds), "0.0")} | {Stat(ok.Select(m => m.PeakRssMiB), "0")} | {Stat(ok.Select(m => m.HeapMiB), "0")} | {Stat(ok.Select(m => m.BytesPerPod), "0")} | {Stat(ok.Select(m => m.AllocatedMiB), "0")} | {Stat(ok.Select(m => m.GcPauseSeconds), "0.0")} | {Stat(ok.Select(m => m.CpuSeconds), "0.0")} | {relist} | {reads} |");
            foreach (var failed in group.Where(m => !m.Ok))
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key} (failed) | | {failed.Seconds:0.0} | {failed.PeakRssMiB:0} | | | | | | {failed.Error} | |");
        }
        return sb.ToString();
    }

    /// <summary>
    /// Each mode against <paramref name="baseline"/> measured in the same round (runs are
    /// round-robin, so a round's modes ran minutes apart on the same server): median [range] of
    /// the per-round ratios of list time and peak RSS.
    /// </summary>
    public static string Ratios(IReadOnlyList<Measurement> results, int modesPerRound, string baseline)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| mode / {baseline}, same round | rounds | list time | peak RSS |");
        sb.AppendLine("|---|---|---|---|");
        var rounds = results.Chunk(modesPerRound).ToList();
        foreach (var mode in results.Select(m => m.Mode).Distinct().Where(m => m != baseline))
        {
            var pairs = rounds
                .Select(r => (m: r.FirstOrDefault(x => x.Mode == mode), b: r.FirstOrDefault(x => x.Mode == baseline)))
                .Where(p => p.m is { Ok: true } && p.b is { Ok: true })
                .ToList();
            if (pairs.Count == 0)
                continue;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {mode} | {pairs.Count} | {Stat(pairs.Select(p => p.m!.Seconds / p.b!.Seconds), "0.00")}× | {Stat(pairs.Select(p => p.m!.PeakRssMiB / p.b!.PeakRssMiB), "0.00")}× |");
        }
        return sb.ToString();
    }

    private static string Stat(IEnumerable<double> values, string format)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0)
            return "–";
        double median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        string f(double x) => x.ToString(format, CultureInfo.InvariantCulture);
        return v.Length == 1 ? f(median) : $"{f(median)} [{f(v[0])}–{f(v[^1])}]";
    }
}
