using System.Buffers;
using System.Text;
using k8s;
using k8s.Models;
using StreamList.Testing.Fixture;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Cli.Commands;

/// <summary>
/// <c>streamlist fixture --pods N --seed S --format protobuf|json -o FILE</c>: writes the
/// deterministic pod fixture (docs: fixture.md) as one list body, without holding it in memory: a
/// protobuf list needs its total length before the first item, so pods are generated twice, once
/// to measure and once to write. Prints the bytes per pod.
/// </summary>
internal sealed class FixtureCommand : ICommand
{
    public string Name => "fixture";

    public string Summary => "write the deterministic N-pod fixture as a protobuf or JSON list file";

    public string Usage => "fixture --pods N [--seed S] [--format protobuf|json] -o FILE";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, [["--pods"], ["--seed"], ["--format"], ["-o", "--out"]], ["--quiet"]);
        if (line.Positionals.Count > 0)
            throw new UsageException($"unexpected argument '{line.Positionals[0]}'");
        int pods = Arguments.Int(line, "--pods", min: 0) ?? throw new UsageException("--pods is missing");
        int seed = Arguments.Int(line, "--seed", min: int.MinValue) ?? 1;
        string format = line.Value("--format") ?? "protobuf";
        if (format is not ("protobuf" or "json"))
            throw new UsageException($"--format must be protobuf or json, not '{format}'");
        string file = line.Value("-o") ?? throw new UsageException("-o FILE is missing");
        string rv = (PodFixture.FirstResourceVersion + Math.Max(pods - 1, 0)).ToString(System.Globalization.CultureInfo.InvariantCulture);

        long done = 0;
        await using var display = line.Flag("--quiet") ? null : ProgressDisplay.Start(console.Error, () => $"fixture: {Interlocked.Read(ref done):N0} / {pods:N0} pods");
        await using var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        long bytes = format == "protobuf"
            ? await WriteProtobufAsync(output, pods, seed, rv, () => Interlocked.Increment(ref done), cancellationToken).ConfigureAwait(false)
            : await WriteJsonAsync(output, pods, seed, rv, () => Interlocked.Increment(ref done), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        console.Out.WriteLine($"{file}: {pods:N0} pods, {bytes:N0} bytes, {(pods == 0 ? 0 : bytes / (double)pods):N0} bytes/pod ({format})");
        return ExitCodes.Ok;
    }

    private static async Task<long> WriteProtobufAsync(Stream output, int pods, int seed, string rv, Action tick, CancellationToken cancellationToken)
    {
        long itemBytes = 0;
        for (int i = 0; i < pods; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            itemBytes += ListEncoding.ItemFieldSize(ListEncoding.EncodeMessage(PodFixture.Create(seed, i)).Length);
        }
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        ListEncoding.WritePrefix(buffer, "v1", "PodList", new V1ListMeta { ResourceVersion = rv }, itemBytes);
        long total = buffer.WrittenCount;
        for (int i = 0; i < pods; i++)
        {
            ListEncoding.WriteItem(buffer, ListEncoding.EncodeMessage(PodFixture.Create(seed, i)));
            tick();
            if (buffer.WrittenCount >= 60 * 1024)
                total += await FlushAsync(output, buffer, cancellationToken).ConfigureAwait(false);
        }
        buffer.Write(ListEncoding.Suffix);
        return total + await FlushAsync(output, buffer, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> WriteJsonAsync(Stream output, int pods, int seed, string rv, Action tick, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        buffer.Write(Encoding.UTF8.GetBytes($"{{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{{\"resourceVersion\":\"{rv}\"}},\"items\":["));
        long total = 0;
        for (int i = 0; i < pods; i++)
        {
            if (i > 0)
                buffer.Write(","u8);
            buffer.Write(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(PodFixture.Create(seed, i))));
            tick();
            if (buffer.WrittenCount >= 60 * 1024)
                total += await FlushAsync(output, buffer, cancellationToken).ConfigureAwait(false);
        }
        buffer.Write("]}"u8);
        return total + await FlushAsync(output, buffer, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> FlushAsync(Stream output, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        int n = buffer.WrittenCount;
        await output.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        buffer.ResetWrittenCount();
        return n;
    }
}
