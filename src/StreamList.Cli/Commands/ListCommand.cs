using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Informers;
using StreamList.Http;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Testing.Measurement;
using StreamList.Codec;

namespace StreamList.Cli.Commands;

/// <summary>
/// <c>streamlist list</c>: lists one resource with StreamList's streaming decoder, holding every
/// object as a store would, with live progress on stderr. Prints <c>namespace/name resourceVersion</c>
/// per object, or with <c>--summary</c> one JSON line
/// <c>{items, bytes, seconds, peakRssMiB, heapMiB, keysSha256}</c>.
/// </summary>
internal sealed class ListCommand : ICommand
{
    public string Name => "list";

    public string Summary => "stream a list from an API server into memory; print keys or a JSON summary";

    public string Usage => "list --server URL | --kubeconfig PATH --resource pods [--namespace NS] [--format protobuf|json] [--page-size N] [--no-intern] [--gzip] [--summary]";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, [.. ClusterConnection.Options, ["--resource"], ["--namespace", "-n"], ["--format"], ["--page-size"]],
            ["--summary", "--no-intern", "--gzip", "--quiet"]);
        if (line.Positionals.Count > 0)
            throw new UsageException($"unexpected argument '{line.Positionals[0]}'");
        var type = ResourceTypes.Find(line.Value("--resource") ?? throw new UsageException("--resource is missing"));
        string format = line.Value("--format") ?? "protobuf";
        if (format is not ("protobuf" or "json"))
            throw new UsageException($"--format must be protobuf or json, not '{format}'");
        int? pageSize = Arguments.Int(line, "--page-size", min: 1);
        using var client = ClusterConnection.Create(line);
        var options = new StreamingOptions
        {
            PreferProtobuf = format == "protobuf",
            AcceptGzip = line.Flag("--gzip"),
            PageSize = pageSize,
            Decode = line.Flag("--no-intern") ? DecodeOptions.NoInterning : DecodeOptions.Default,
        };
        var run = typeof(ListCommand).GetMethod(nameof(ListAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type);
        var result = await ((Task<ListResult>)run.Invoke(null, [client, line.Value("--namespace"), options, console, line.Flag("--summary"), line.Flag("--quiet"), cancellationToken])!).ConfigureAwait(false);
        if (line.Flag("--summary"))
            console.Out.WriteLine(JsonSerializer.Serialize(result, ListResult.JsonOptions));
        return ExitCodes.Ok;
    }

    private static async Task<ListResult> ListAsync<T>(Kubernetes client, string? ns, StreamingOptions options, CliConsole console,
        bool summary, bool quiet, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var progress = new ListProgress();
        var held = new List<T>();
        var clock = Stopwatch.StartNew();
        await using (var display = quiet ? null : ProgressDisplay.Start(console.Error, () => $"listed {progress.Items:N0} items, {progress.Bytes / 1048576.0:N1} MiB, RSS {ProcessMemory.RssMiB():N0} MiB"))
        {
            await foreach (var item in client.ListStreamingAsync<T>(ResourceDescriptor.For<T>(ns), new ListRequest(), progress, options, cancellationToken).ConfigureAwait(false))
            {
                held.Add(item);
                if (!summary)
                    console.Out.WriteLine($"{ObjectKey.For(item.Metadata)} {item.Metadata.ResourceVersion}");
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var result = new ListResult(held.Count, progress.Bytes, Math.Round(seconds, 3), Math.Round(ProcessMemory.PeakRssMiB(), 1),
            Math.Round(ProcessMemory.RetainedHeapMiB(), 1), KeysSha256.Compute(held.Select(h => h.Metadata)));
        GC.KeepAlive(held);
        return result;
    }
}

/// <summary>The summary line of <c>streamlist list</c>.</summary>
internal sealed record ListResult(long Items, long Bytes, double Seconds, double PeakRssMiB, double HeapMiB, string KeysSha256)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
