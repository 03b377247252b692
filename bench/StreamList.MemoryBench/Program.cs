// StreamList.MemoryBench: process-level memory and time, per docs/measuring.md.
//
//   dotnet run -c Release --project bench/StreamList.MemoryBench -- run --pods 100000 [--modes a,b] [--repeat 3] [--client-env K=V,...]
//       starts `streamlist serve` in its own process, then runs every mode in a fresh client process
//       `repeat` times, printing one JSON line per run, a Markdown table (median and range) and each
//       mode's time and peak RSS against kubernetesclient-json of the same round.
//   dotnet run -c Release --project bench/StreamList.MemoryBench -- client --mode M --server URL --pods N
//       one measurement (what `run` starts); prints one JSON line.
//   dotnet run -c Release --project bench/StreamList.MemoryBench -- storm --pods N [--rate 4000] [--seconds 60] [--compact-every 3] [--settle S] [--client-env K=V,...]
//       an informer (streamlist sync) under DOTNET_GCHeapHardLimit = 2 x its steady heap syncs, then a 410 storm,
//       then up to S more seconds (default max(60, pods/2500)) to converge to the server's keysSha256.
namespace StreamList.MemoryBench;

/// <summary>Dispatches the first argument to a command; a bad flag is one line on stderr and exit 2.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "run" => await Orchestrator.RunAsync(args[1..]),
                "client" => await ClientModes.RunAsync(args[1..]),
                "storm" => await StormRun.RunAsync(args[1..]),
                _ => Usage(),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"StreamList.MemoryBench: {e.Message}");
            return 2;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: StreamList.MemoryBench run --pods N [--modes m1,m2] [--repeat R] [--client-env K=V,...] | client --mode M --server URL --pods N | storm --pods N [--rate R] [--seconds S] [--compact-every S] [--settle S] [--client-env K=V,...]");
        Console.Error.WriteLine("modes: " + string.Join(", ", ClientModes.All));
        return 2;
    }
}
