// StreamList's benchmarks (docs/benchmarks.md has the commands and the results):
//   dotnet run -c Release --project bench/StreamList.Benchmarks -- --filter '*PodCodec*'
//   dotnet run -c Release --project bench/StreamList.Benchmarks -- --filter '*PodListDecode*'
//   dotnet run -c Release --project bench/StreamList.Benchmarks -- --filter '*DecodeBreakdown*'
//   dotnet run -c Release --project bench/StreamList.Benchmarks -- interning [--pods N] [--repeat R] [--drop-managed-fields]
//   dotnet run -c Release --project bench/StreamList.Benchmarks -- ratios [--rounds N]
//   dotnet run -c Release --project bench/StreamList.Benchmarks -- smoke [--filter ...]
// `ratios` times the same comparisons as interleaved stopwatch rounds (stable ratios on a busy machine).
// `smoke` runs every benchmark once, in-process, for CI: it checks they run, it measures nothing.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StreamList.Benchmarks;

if (args is ["interning" or "ratios", ..])
    return await OwnModes.RunAsync(args);

var switcher = BenchmarkSwitcher.FromAssembly(typeof(PodCodecBenchmarks).Assembly);
// The benchmark process is a fresh build of this project (protoc and all): on a busy 2-core
// machine that takes longer than BenchmarkDotNet's default two-minute build timeout.
var config = DefaultConfig.Instance
    .WithArtifactsPath(ArtifactsPath())
    .WithBuildTimeout(TimeSpan.FromMinutes(10));
if (args is ["smoke", .. var smokeArgs])
{
    config = config.AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance));
    args = smokeArgs.Length == 0 ? ["--filter", "*"] : smokeArgs;
}
var summaries = switcher.Run(args, config).ToArray();
bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;

// Results go beside this project (bench/StreamList.Benchmarks/BenchmarkDotNet.Artifacts), not
// wherever the command was started; BenchmarkDotNet's own --artifacts option still wins.
static string ArtifactsPath()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "StreamList.Benchmarks.csproj")))
            return Path.Combine(dir.FullName, "BenchmarkDotNet.Artifacts");
    }
    return Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts");
}
