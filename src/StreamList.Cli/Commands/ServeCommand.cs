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
    public string Name => "serve";

    public string Summary => "run the fake Kubernetes API server (pod fixture) on 127.0.0.1 until interrupted";

    public string Usage => "serve [--pods N] [--nodes N] [--seed S] [--port P] [--watch-history N] [--expire-watches-on-compaction]";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, [["--pods"], ["--nodes"], ["--seed"], ["--port"], ["--watch-history"]], ["--expire-watches-on-compaction"]);
        if (line.Positionals.Count > 0)
            throw new UsageException($"unexpected argument '{line.Positionals[0]}'");
        var options = new FakeApiServerOptions
        {
            Pods = Arguments.Int(line, "--pods", min: 0) ?? 10_000,
            Seed = Arguments.Int(line, "--seed", min: int.MinValue) ?? 1,
            Port = Arguments.Int(line, "--port", min: 0) ?? 0,
            WatchHistorySize = Arguments.Int(line, "--watch-history", min: 1) ?? 10_000,
            CompactionExpiresWatches = line.Flag("--expire-watches-on-compaction"),
        };
        int nodes = Arguments.Int(line, "--nodes", min: 0) ?? 100;
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
