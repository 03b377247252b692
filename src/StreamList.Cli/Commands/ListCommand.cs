using System.CommandLine;
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
/// <c>streamlist list</c>: lists one resource with StreamList's streaming decoder, with live progress
/// on stderr. Each object is dropped once its key is taken (only the keys are kept, for keysSha256);
/// <c>--hold</c> keeps every object, as a cache of decoded objects would (<c>--drop-managed-fields</c>:
/// without managedFields, skipped while decoding protobuf), objects sharing the parts they repeat
/// (<see cref="ListRequest.ShareParts"/>: nothing here changes them). Prints
/// <c>namespace/name resourceVersion</c> per object, or with <c>--summary</c> one JSON line
/// <c>{items, bytes, seconds, peakRssMiB, heapMiB, keysSha256}</c>, heapMiB after a full collection
/// with what was kept alive.
/// </summary>
internal sealed class ListCommand : ICommand
{
    private readonly ClusterConnection _cluster = new();
    private readonly ResourceSelection _selection = new("list");
    private readonly Option<string> _encoding = CliOptions.Choice("--encoding", "what the server is asked to send", "protobuf", ["protobuf", "json"], "--format");
    private readonly Option<int?> _pageSize = CliOptions.OptionalInt("--page-size", "N", "list in pages of N (default: one response)", min: 1);
    private readonly Option<bool> _noIntern = CliOptions.Flag("--no-intern", "do not share repeated strings between objects");
    private readonly Option<bool> _gzip = CliOptions.Flag("--gzip", "accept a gzip-compressed response");
    private readonly Option<bool> _dropManagedFields = CliOptions.DropManagedFields();
    private readonly Option<bool> _hold = CliOptions.Flag("--hold", "keep every object in memory, as a cache of decoded objects would (default: keep only the keys)");
    private readonly Option<bool> _summary = CliOptions.Flag("--summary", "print one JSON line {items, bytes, seconds, peakRssMiB, heapMiB, keysSha256} instead of the keys");
    private readonly Option<bool> _quiet = CliOptions.Quiet();

    public ListCommand()
    {
        Declaration = new Command("list", "stream a list from an API server into memory; print keys or a JSON summary");
        _cluster.AddTo(Declaration);
        _selection.AddTo(Declaration);
        Declaration.Add(_encoding);
        Declaration.Add(_pageSize);
        Declaration.Add(_noIntern);
        Declaration.Add(_gzip);
        Declaration.Add(_dropManagedFields);
        Declaration.Add(_hold);
        Declaration.Add(_summary);
        Declaration.Add(_quiet);
    }

    public Command Declaration { get; }

    public async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        var type = _selection.Type(parsed);
        using var client = _cluster.Create(parsed);
        var options = new StreamingOptions
        {
            PreferProtobuf = parsed.GetValue(_encoding) == "protobuf",
            AcceptGzip = parsed.GetValue(_gzip),
            PageSize = parsed.GetValue(_pageSize),
            Decode = parsed.GetValue(_noIntern) ? DecodeOptions.NoInterning : DecodeOptions.Default,
        };
        bool summary = parsed.GetValue(_summary);
        // The command never changes what it decodes, so objects may share their repeated parts, as an informer's cache does.
        var request = new ListRequest { SkipManagedFields = parsed.GetValue(_dropManagedFields), ShareParts = true };
        var result = await type.RunAsync(new ListEveryItem(client, _selection.Namespace(parsed), options, request, console, summary, parsed.GetValue(_hold),
            parsed.GetValue(_quiet), cancellationToken)).ConfigureAwait(false);
        if (summary)
            console.Out.WriteLine(JsonSerializer.Serialize(result, ListResult.JsonOptions));
        return ExitCodes.Ok;
    }

    private sealed record ListEveryItem(Kubernetes Client, string? Namespace, StreamingOptions Options, ListRequest Request, CliConsole Console, bool Summary,
        bool Hold, bool Quiet, CancellationToken CancellationToken) : IResourceAction<ListResult>
    {
        public async Task<ListResult> RunAsync<T>()
            where T : class, IKubernetesObject<V1ObjectMeta>
        {
            var progress = new ListProgress();
            var held = new List<T>();
            var keys = new List<(string?, string, string?)>();
            var clock = Stopwatch.StartNew();
            await using (var display = Quiet ? null : ProgressDisplay.Start(Console.Error, () => $"listed {progress.Items:N0} items, {progress.Bytes / 1048576.0:N1} MiB, RSS {ProcessMemory.RssMiB():N0} MiB"))
            {
                await foreach (var item in Client.ListStreamingAsync<T>(ResourceDescriptor.For<T>(Namespace), Request, progress, Options, CancellationToken).ConfigureAwait(false))
                {
                    keys.Add((item.Metadata.NamespaceProperty, item.Metadata.Name, item.Metadata.ResourceVersion));
                    if (Hold)
                        held.Add(Request.SkipManagedFields ? Transforms.DropManagedFields(item) : item); // a JSON body still has them
                    if (!Summary)
                        Console.Out.WriteLine($"{ObjectKey.For(item.Metadata)} {item.Metadata.ResourceVersion}");
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var result = new ListResult(keys.Count, progress.Bytes, Math.Round(seconds, 3), Math.Round(ProcessMemory.PeakRssMiB(), 1),
                Math.Round(ProcessMemory.RetainedHeapMiB(), 1), KeysSha256.Compute(keys));
            GC.KeepAlive(held);
            return result;
        }
    }
}

/// <summary>The summary line of <c>streamlist list</c>.</summary>
internal sealed record ListResult(long Items, long Bytes, double Seconds, double PeakRssMiB, double HeapMiB, string KeysSha256)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
