using System.Buffers;
using System.CommandLine;
using System.Text;
using k8s;
using k8s.Models;
using StreamList.Testing.Fixture;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Cli.Commands;

/// <summary>
/// <c>streamlist fixture --pods N [--seed S] [--encoding protobuf|json] --out FILE</c>: writes the
/// deterministic pod fixture (docs: fixture.md) as one list body, without holding it in memory: a
/// protobuf list needs its total length before the first item, so pods are generated twice, once
/// to measure and once to write. Prints the bytes per pod.
/// </summary>
internal sealed class FixtureCommand : ICommand
{
    private readonly Option<int> _pods = CliOptions.RequiredInt("--pods", "N", "how many pods", min: 0);
    private readonly Option<int> _seed = CliOptions.Int("--seed", "S", "the fixture's seed", min: int.MinValue, defaultValue: 1);
    private readonly Option<string> _encoding = CliOptions.Choice("--encoding", "the file's encoding", "protobuf", ["protobuf", "json"], "--format");
    private readonly Option<string> _out = CliOptions.RequiredText("--out", "FILE", "the file to write", "-o");
    private readonly Option<bool> _quiet = CliOptions.Quiet();

    public FixtureCommand()
    {
        Declaration = new Command("fixture", "write the deterministic N-pod fixture as a protobuf or JSON list file") { _pods, _seed, _encoding, _out, _quiet };
    }

    public Command Declaration { get; }

    public async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        int pods = parsed.GetValue(_pods);
        int seed = parsed.GetValue(_seed);
        string format = parsed.GetRequiredValue(_encoding);
        string file = parsed.GetRequiredValue(_out);
        if (file.Length == 0)
            throw new UsageException("--out needs a file name");
        string rv = (PodFixture.FirstResourceVersion + Math.Max(pods - 1, 0)).ToString(System.Globalization.CultureInfo.InvariantCulture);

        long done = 0;
        await using var display = parsed.GetValue(_quiet) ? null : ProgressDisplay.Start(console.Error, () => $"fixture: {Interlocked.Read(ref done):N0} / {pods:N0} pods");
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
