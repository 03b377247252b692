// StreamList.MemoryBench: process-level memory and time, per docs/measuring.md.
//
//   dotnet run -c Release --project bench/StreamList.MemoryBench -- run --pods 100000 [--modes a,b] [--repeat 3] [--client-env K=V,...]
//       starts `streamlist serve` in its own process, then runs every mode in a fresh client process
//       `repeat` times, printing one JSON line per run, a Markdown table (median and range) and each
//       mode's time and peak RSS against kubernetesclient-json of the same round.
//   dotnet run -c Release --project bench/StreamList.MemoryBench -- client --mode M --server URL --pods N
//       one measurement (what `run` starts); prints one JSON line.
//   dotnet run -c Release --project bench/StreamList.MemoryBench -- storm --pods N [--rate 4000] [--seconds 60] [--compact-every 3] [--settle S] [--store objects|compact|compressed] [--limit-factor 2] [--client-env K=V,...]
//       an informer (streamlist sync) under DOTNET_GCHeapHardLimit = F x its steady heap (default 2) syncs, then a 410 storm,
//       then up to S more seconds (default max(60, pods/2500)) to converge to the server's keysSha256.
//   dotnet run -c Release --project bench/StreamList.MemoryBench -- shards --pods N [--members 4] [--lease-seconds 15] [--summary-every 1]
//       one `streamlist sync` holding every pod, then M `sync --shard-group` members started together; one is killed
//       once they cover every pod, and the survivors are timed until they cover every pod again.
//   dotnet run -c Release --project bench/StreamList.MemoryBench -- touch [--mib 3400]
//       what keeping memory costs on this machine: seconds per GiB to allocate and hold (first touch of each page),
//       to touch the same pages again, and to allocate the same amount as garbage.
// A mode in --modes may carry its own environment: MODE@NAME=VALUE+NAME=VALUE (ModeSpec.cs; STREAMLIST_BENCH_GC: GcChoice.cs).
// `--help` after any command lists its options with their defaults.
using System.CommandLine;
using System.CommandLine.Help;
using StreamList.Cli;

namespace StreamList.MemoryBench;

/// <summary>
/// The benchmark's commands, declared with System.CommandLine and the command line's own option helpers
/// (<see cref="CliOptions"/>), as <c>streamlist</c> is: a bad flag is one line on stderr and exit 2.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var parsed = BenchCommands.Root.Parse(args);
        if (parsed.Action is HelpAction)
            return parsed.Invoke();
        if (parsed.Errors.Count > 0 || parsed.CommandResult.Command == BenchCommands.Root)
        {
            string problem = parsed.Errors.Count > 0 ? parsed.Errors[0].Message : "a command is missing";
            Console.Error.WriteLine($"StreamList.MemoryBench: {Program.OneLine(problem)}");
            Console.Error.WriteLine("usage: StreamList.MemoryBench " + string.Join(" | ", BenchCommands.Root.Subcommands.Select(Synopsis.Of)));
            Console.Error.WriteLine("modes: " + string.Join(", ", ClientModes.All));
            return 2;
        }
        try
        {
            return await parsed.InvokeAsync();
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"StreamList.MemoryBench: {e.Message}");
            return 2;
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>run, client, storm and shards: their options and what each runs.</summary>
internal static class BenchCommands
{
    public static readonly Option<int> RunPods = CliOptions.Int("--pods", "N", "pods on the server", min: 1, defaultValue: 100_000);
    public static readonly Option<int> Repeat = CliOptions.Int("--repeat", "R", "rounds over every mode", min: 1, defaultValue: 3);
    public static readonly Option<string> Modes = new("--modes") { HelpName = "m1,m2", Description = "client modes to run (MODE@K=V+K=V: that mode with extra environment)", DefaultValueFactory = _ => "streamlist-protobuf,streamlist-json,kubernetesclient-json" };
    public static readonly Option<Dictionary<string, string>> RunClientEnv = ClientEnv("set in every client process, all modes alike");

    public static readonly Option<string> Mode = CliOptions.RequiredText("--mode", "M", "the client mode");
    public static readonly Option<string> Server = CliOptions.RequiredText("--server", "URL", "the fake API server");
    public static readonly Option<int> ClientPods = CliOptions.Int("--pods", "N", "pods the server holds (checked)", min: 0, defaultValue: 0);

    public static readonly Option<int> StormPods = CliOptions.Int("--pods", "N", "pods on the server", min: 1, defaultValue: 20_000);
    public static readonly Option<int> Rate = CliOptions.Int("--rate", "R", "MODIFIED events a second during the storm", min: 1, defaultValue: 4000);
    public static readonly Option<double> Seconds = CliOptions.Double("--seconds", "S", "how long the storm lasts", min: 0, defaultValue: 60);
    public static readonly Option<double> CompactEvery = CliOptions.Double("--compact-every", "S", "seconds between compactions (each expires every watch)", min: 0.1, defaultValue: 3);
    public static readonly Option<double?> Settle = CliOptions.OptionalDouble("--settle", "S", "seconds to converge after the storm (default max(60, pods/2500))", min: 0);
    public static readonly Option<string> StormStore = CliOptions.Choice("--store", "the informer's store, in the steady measurement and through the storm", "objects", ["objects", "compact", "compressed"]);
    public static readonly Option<double> LimitFactor = CliOptions.Double("--limit-factor", "F", "the informer's hard heap limit, as a multiple of its steady heap", min: 1, defaultValue: 2);
    public static readonly Option<Dictionary<string, string>> StormClientEnv = ClientEnv("set in the informer's process, e.g. DOTNET_GCConserveMemory=5");

    public static readonly Option<int> ShardPods = CliOptions.Int("--pods", "N", "pods on the server", min: 1, defaultValue: 100_000);
    public static readonly Option<int> Members = CliOptions.Int("--members", "M", "member processes in the shard group", min: 2, defaultValue: 4);
    public static readonly Option<double> LeaseSeconds = CliOptions.Double("--lease-seconds", "S", "the members' lease duration", min: 1, defaultValue: 15);
    public static readonly Option<double> SummaryEvery = CliOptions.Double("--summary-every", "S", "how often each member reports (the resolution of the coverage times)", min: 0.1, defaultValue: 2);

    public static readonly Option<int> TouchMib = CliOptions.Int("--mib", "N", "MiB to allocate and hold", min: 1, defaultValue: 3400);

    public static readonly RootCommand Root = Build();

    private static RootCommand Build()
    {
        var run = new Command("run", "every mode in fresh client processes against one server, in rounds") { RunPods, Repeat, Modes, RunClientEnv };
        run.SetAction(p => Orchestrator.RunAsync(p.GetValue(RunPods), p.GetValue(Repeat), p.GetRequiredValue(Modes), p.GetRequiredValue(RunClientEnv)));
        var client = new Command("client", "one measurement (what run starts); prints one JSON line") { Mode, Server, ClientPods };
        client.SetAction(p => ClientModes.RunAsync(p.GetRequiredValue(Mode), p.GetRequiredValue(Server), p.GetValue(ClientPods)));
        var storm = new Command("storm", "an informer under a hard heap limit through a 410 storm") { StormPods, Rate, Seconds, CompactEvery, Settle, StormStore, LimitFactor, StormClientEnv };
        storm.SetAction(p => StormRun.RunAsync(p.GetValue(StormPods), p.GetValue(Rate), p.GetValue(Seconds), p.GetValue(CompactEvery), p.GetValue(Settle),
            p.GetRequiredValue(StormStore), p.GetValue(LimitFactor), p.GetRequiredValue(StormClientEnv)));
        var shards = new Command("shards", "one process holding every pod against a shard group of member processes, then a member killed") { ShardPods, Members, LeaseSeconds, SummaryEvery };
        shards.SetAction(p => ShardRun.RunAsync(p.GetValue(ShardPods), p.GetValue(Members), p.GetValue(LeaseSeconds), p.GetValue(SummaryEvery)));
        var touch = new Command("touch", "seconds per GiB to keep fresh memory, to touch it again, and to allocate it as garbage") { TouchMib };
        touch.SetAction(p => TouchRun.Run(p.GetValue(TouchMib)));
        return new RootCommand("StreamList.MemoryBench: process-level memory and time") { run, client, storm, shards, touch };
    }

    private static Option<Dictionary<string, string>> ClientEnv(string description) => new("--client-env")
    {
        HelpName = "K=V,...",
        Description = description,
        DefaultValueFactory = _ => [],
        CustomParser = r =>
        {
            try
            {
                return BenchProcess.Pairs(r.Tokens.Count > 0 ? r.Tokens[^1].Value : "", "--client-env");
            }
            catch (UsageException e)
            {
                r.AddError(e.Message);
                return [];
            }
        },
    };
}
