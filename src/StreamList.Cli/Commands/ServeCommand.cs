using System.CommandLine;
using k8s.Models;
using StreamList.Testing.Fixture;
using StreamList.Testing.Server;

namespace StreamList.Cli.Commands;

/// <summary>
/// <c>streamlist serve</c>: runs the fake API server (the deterministic pod fixture, list and watch,
/// protobuf and JSON, HTTP/1.1 and h2c) on 127.0.0.1 until interrupted, with the fixture's first
/// <c>--nodes</c> nodes and empty endpoint slice and lease collections beside the pods. Its first
/// stdout line is the URL, so another process (the memory benchmark) can read it.
/// </summary>
internal sealed class ServeCommand : ICommand
{
    private readonly Option<int> _pods = CliOptions.Int("--pods", "N", "pods in the fixture", min: 0, defaultValue: 10_000);
    private readonly Option<int> _nodes = CliOptions.Int("--nodes", "N", $"the fixture's first N nodes (at most {NodeFixture.Count})", min: 0, defaultValue: 100);
    private readonly Option<int> _seed = CliOptions.Int("--seed", "S", "the fixture's seed", min: int.MinValue, defaultValue: 1);
    private readonly Option<int> _port = CliOptions.Int("--port", "P", "the port on 127.0.0.1 (0: any free port)", min: 0, defaultValue: 0);
    private readonly Option<int> _watchHistory = CliOptions.Int("--watch-history", "N", "events kept for watches to resume from", min: 1, defaultValue: 10_000);
    private readonly Option<bool> _expireWatches = CliOptions.Flag("--expire-watches-on-compaction", "a compaction ends every open watch with 410, as etcd does");
    private readonly Option<bool> _ignoreShards = CliOptions.Flag("--ignore-shard-selector", "ignore shardSelector and echo no shardInfo, as a server without KEP-5866 sharding");

    public ServeCommand()
    {
        Declaration = new Command("serve", "run the fake Kubernetes API server (pod fixture) on 127.0.0.1 until interrupted")
        {
            _pods, _nodes, _seed, _port, _watchHistory, _expireWatches, _ignoreShards,
        };
    }

    public Command Declaration { get; }

    public async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        var options = new FakeApiServerOptions
        {
            Pods = parsed.GetValue(_pods),
            Seed = parsed.GetValue(_seed),
            Port = parsed.GetValue(_port),
            WatchHistorySize = parsed.GetValue(_watchHistory),
            CompactionExpiresWatches = parsed.GetValue(_expireWatches),
            IgnoreShardSelector = parsed.GetValue(_ignoreShards),
        };
        int nodes = parsed.GetValue(_nodes);
        if (nodes > NodeFixture.Count)
            throw new UsageException($"--nodes is at most {NodeFixture.Count} (the nodes the pod fixture uses)");
        await using var server = await FakeApiServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
        var nodeCollection = server.Collection<V1Node>();
        for (int i = 0; i < nodes; i++)
            nodeCollection.Create(NodeFixture.Create(i));
        server.Collection<V1EndpointSlice>();
        server.Collection<V1Lease>();
        console.Out.WriteLine(server.BaseAddress);
        console.Out.Flush();
        console.Error.WriteLine($"serving {options.Pods:N0} pods (seed {options.Seed}) and {nodes:N0} nodes at {server.BaseAddress}; admin: POST /streamlist/churn|compact|storm, GET /streamlist/state; Ctrl-C stops");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return ExitCodes.Ok;
    }
}
