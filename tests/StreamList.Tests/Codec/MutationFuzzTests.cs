using System.Diagnostics;
using System.Globalization;
using StreamList.Tests.Support;
using StreamList.Wire;
using Xunit.Abstractions;
using StreamList.Codec;

namespace StreamList.Tests.Codec;

/// <summary>
/// A bounded random-mutation loop over the real fixtures: bit flips, byte sets, insertions,
/// deletions, duplications and truncations, of the whole envelope or of the body re-wrapped in a
/// valid envelope (so mutations reach deep into the message). Every mutated input either decodes
/// or throws <see cref="KubernetesWireException"/>; whatever decodes re-encodes, and the re-encoding
/// decodes again. Any other exception, or a decode stuck for seconds, fails with the seed and
/// iteration, which reproduce it exactly:
/// <c>STREAMLIST_FUZZ_SEED=… STREAMLIST_FUZZ_ITERATIONS=… dotnet test --filter MutationFuzzTests</c>.
/// </summary>
public class MutationFuzzTests(ITestOutputHelper output)
{
    /// <summary>About 6 s of CPU (Debug build) on one core of the reference 2-core machine.</summary>
    private const int DefaultIterations = 40_000;

    private static readonly TimeSpan s_stuckAfter = TimeSpan.FromSeconds(30);

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;

    private sealed record Sample(string Name, Type Type, byte[] Enveloped, byte[] Raw);

    [Fact]
    public void Mutated_fixtures_decode_or_throw_KubernetesWireException()
    {
        int seed = EnvInt("STREAMLIST_FUZZ_SEED", Random.Shared.Next());
        int iterations = EnvInt("STREAMLIST_FUZZ_ITERATIONS", DefaultIterations);
        output.WriteLine($"STREAMLIST_FUZZ_SEED={seed} STREAMLIST_FUZZ_ITERATIONS={iterations}");

        var samples = Fixtures.Names().Select(n => new Sample(n, Schemas.FixtureType(n), Fixtures.Protobuf(n), ProtoBytes.Open(Fixtures.Protobuf(n)).Raw)).ToArray();
        var counts = new int[3];
        int current = -1;
        string currentInput = "";
        Exception? failure = null;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();

        var worker = new Thread(() =>
        {
            var rnd = new Random(seed);
            try
            {
                for (int i = 0; i < iterations; i++)
                {
                    Volatile.Write(ref current, i);
                    var sample = samples[rnd.Next(samples.Length)];
                    bool bodyOnly = rnd.Next(10) < 7;
                    var mutations = new List<string>();
                    var bytes = Mutate(bodyOnly ? sample.Raw : sample.Enveloped, rnd, mutations);
                    var input = bodyOnly ? ProtoBytes.Rewrap(sample.Enveloped, bytes) : bytes;
                    currentInput = $"{sample.Name}, {(bodyOnly ? "body" : "envelope")} mutated by {string.Join(", ", mutations)}";
                    counts[Run(input, sample.Type, rnd)]++;
                }
            }
#pragma warning disable CA1031 // any exception is the finding, reported below with seed and iteration
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
        }, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = "fuzz" };
        worker.Start();
        var deadline = TimeSpan.FromSeconds(Math.Max(60, iterations / 500.0));
        bool finished = worker.Join(deadline);
        output.WriteLine($"{counts[0]} decoded, {counts[1]} KubernetesWireException, {counts[2]} decoded but re-decode failed; " +
            $"{clock.Elapsed.TotalSeconds:F1} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s CPU");
        Assert.True(finished, $"seed {seed}: stuck at iteration {Volatile.Read(ref current)} ({currentInput}) after {deadline}");
        if (failure is not null)
            Assert.Fail($"seed {seed} (STREAMLIST_FUZZ_SEED={seed}), iteration {current}: {currentInput}: {failure.GetType().Name}: {failure.Message}\n{failure}");
        Assert.True(counts[0] > 0 && counts[1] > 0, "the mutations should give both decodable and undecodable inputs");
    }

    /// <summary>Decodes one way or another; 0 decoded, 1 wire error, 2 decoded but its re-encoding failed to decode (a wire error).</summary>
    private static int Run(byte[] input, Type type, Random rnd)
    {
        var watch = Stopwatch.StartNew();
        object value;
        try
        {
            value = rnd.Next(3) switch
            {
                0 => KubernetesProtobuf.Decode(input, type),
                1 => KubernetesProtobuf.Decode(input.AsSpan()),
                _ => KubernetesProtobuf.Decode(Sequences.Split(input, rnd.Next(input.Length + 1))),
            };
        }
        catch (KubernetesWireException)
        {
            return 1;
        }
        finally
        {
            if (watch.Elapsed > s_stuckAfter)
                throw new TimeoutException($"one decode took {watch.Elapsed}");
        }
        // What decodes must re-encode, and our encoding must decode again.
        var again = KubernetesProtobuf.Encode(value);
        try
        {
            KubernetesProtobuf.Decode(again, value.GetType());
        }
        catch (KubernetesWireException)
        {
            // Only values KubernetesClient itself mangles (a negative quantity's canonical text) get here.
            return 2;
        }
        return 0;
    }

    private static readonly byte[] s_interesting = [0x00, 0x01, 0x02, 0x07, 0x08, 0x0A, 0x12, 0x1A, 0x22, 0x7F, 0x80, 0x81, 0xFF];

    private static byte[] Mutate(byte[] original, Random rnd, List<string> log)
    {
        var data = new List<byte>(original);
        int n = 1 + rnd.Next(4);
        for (int k = 0; k < n; k++)
        {
            int at = data.Count == 0 ? 0 : rnd.Next(data.Count);
            switch (data.Count == 0 ? 3 : rnd.Next(8))
            {
                case 0:
                case 1:
                    int bit = rnd.Next(8);
                    data[at] ^= (byte)(1 << bit);
                    log.Add($"flip bit {bit} at {at}");
                    break;
                case 2:
                    byte b = rnd.Next(2) == 0 ? s_interesting[rnd.Next(s_interesting.Length)] : (byte)rnd.Next(256);
                    data[at] = b;
                    log.Add($"set {at} to 0x{b:X2}");
                    break;
                case 3:
                    var inserted = new byte[1 + rnd.Next(8)];
                    for (int j = 0; j < inserted.Length; j++)
                        inserted[j] = rnd.Next(2) == 0 ? s_interesting[rnd.Next(s_interesting.Length)] : (byte)rnd.Next(256);
                    data.InsertRange(at, inserted);
                    log.Add($"insert {Convert.ToHexString(inserted)} at {at}");
                    break;
                case 4:
                    int count = Math.Min(1 + rnd.Next(8), data.Count - at);
                    data.RemoveRange(at, count);
                    log.Add($"delete {count} at {at}");
                    break;
                case 5:
                    int len = Math.Min(1 + rnd.Next(32), data.Count - at);
                    int to = rnd.Next(data.Count + 1);
                    data.InsertRange(to, data.GetRange(at, len));
                    log.Add($"copy {len} from {at} to {to}");
                    break;
                case 6:
                    int cut = rnd.Next(data.Count);
                    data.RemoveRange(cut, data.Count - cut);
                    log.Add($"truncate to {cut}");
                    break;
                default:
                    data[at] |= 0x80;
                    log.Add($"set continuation bit at {at}");
                    break;
            }
        }
        return [.. data];
    }
}
