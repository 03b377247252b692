using System.Security.Cryptography;
using System.Text.Json;
using k8s.Models;
using StreamList.Cli;
using StreamList.Tests.Support;
using StreamList.Informers;
using StreamList.Sharding;
using StreamList.Testing;
using StreamList.Testing.Server;

namespace StreamList.Tests.Cli;

/// <summary>
/// <c>streamlist sync</c> sharded: static shards on a server that applies the selector and on one
/// that ignores it give complementary caches (the <c>--keys-out</c> files are disjoint, their union is
/// the server's keys, each file hashes to its summary's keysSha256); a group member joins beside a
/// live Lease, takes its half, and deletes its Lease when it ends; bad shard options exit 2.
/// </summary>
public sealed class ShardedSyncTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamlist-shard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Static_shards_write_disjoint_keys_whose_union_is_the_servers(bool serverIgnores)
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 600, Seed = 9, IgnoreShardSelector = serverIgnores });
        var lines = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            string selector = ShardSelector.Of(i, 3).ToString();
            string keys = Path.Combine(_dir, $"shard-{i}.txt");
            var (exit, output, error) = await RunAsync("sync", "--server", server.BaseAddress.ToString(), "--resource", "pods",
                "--shard-selector", selector, "--keys-out", keys, "--summary", "--quiet");
            Assert.True(exit == 0, error);
            var summary = JsonDocument.Parse(output.Trim()).RootElement;
            Assert.Equal(selector, summary.GetProperty("selector").GetString());
            Assert.Equal(Sha256(keys), summary.GetProperty("keysSha256").GetString());
            Assert.Equal(serverIgnores, summary.GetProperty("shardFiltered").GetInt64() > 0);
            lines.AddRange(File.ReadAllLines(keys));
        }
        Assert.Equal(lines.Count, lines.Distinct().Count());
        Assert.Equal(server.Population.Count, lines.Count);
        Assert.Equal(server.GetState().KeysSha256, KeysSha256.Compute(lines.Select(Parse)));
    }

    [Fact]
    public async Task A_group_member_takes_its_half_beside_a_live_lease_and_deletes_its_own_lease_at_the_end()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 400, Seed = 2 });
        var leases = server.Collection<V1Lease>();
        leases.Create(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "ctl-zz", NamespaceProperty = "ops", Labels = new Dictionary<string, string> { [ShardGroup.GroupLabel] = "ctl" } },
            Spec = new V1LeaseSpec { HolderIdentity = "zz", LeaseDurationSeconds = 3600, RenewTime = DateTime.UtcNow },
        });
        string keys = Path.Combine(_dir, "aa.txt");
        var (exit, output, error) = await RunAsync("sync", "--server", server.BaseAddress.ToString(), "--resource", "pods",
            "--shard-group", "ctl", "--shard-namespace", "ops", "--identity", "aa", "--lease-seconds", "3", "--keys-out", keys, "--summary", "--quiet");
        Assert.True(exit == 0, error);
        var summary = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Equal(["aa", "zz"], summary.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        var half = ShardSelector.Of(0, 2);
        Assert.Equal(half.ToString(), summary.GetProperty("selector").GetString());
        var expected = server.Population.Current.Enumerate().Where(s => half.Matches(s.Pod.Metadata)).Select(s => s.Pod.Metadata).ToList();
        Assert.Equal(KeysSha256.Compute(expected), summary.GetProperty("keysSha256").GetString());
        Assert.Equal(Sha256(keys), summary.GetProperty("keysSha256").GetString());
        Assert.Null(leases.Get("ops", "ctl-aa"));
        Assert.NotNull(leases.Get("ops", "ctl-zz"));
    }

    [Theory]
    [InlineData("--shard-selector", "shardRange(object.metadata.uid, '0x9', '0x8')", "--shard-selector: \"shardRange(object.metadata.uid, '0x9', '0x8')\" is an empty or inverted range")]
    [InlineData("--shard-selector", "app=web", "--shard-selector: \"app=web\" is not shardRange")]
    [InlineData("--identity", "me", "--identity needs --shard-group")]
    [InlineData("--lease-seconds", "0.5", "--lease-seconds must be a number ≥ 1, not '0.5'")]
    public async Task Bad_shard_options_are_one_line_and_exit_2(string option, string value, string message)
    {
        var (exit, _, error) = await RunAsync("sync", "--server", "http://127.0.0.1:1/", "--resource", "pods", option, value);
        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        var both = await RunAsync("sync", "--server", "http://127.0.0.1:1/", "--resource", "pods", "--shard-selector", ShardSelector.Of(0, 2).ToString(), "--shard-group", "g");
        Assert.Equal(2, both.Exit);
        Assert.Contains("at most one of --shard-selector and --shard-group", both.Error, StringComparison.Ordinal);
    }

    private static (string? Namespace, string Name, string? ResourceVersion) Parse(string line)
    {
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        var (ns, name) = ObjectKey.Split(line[..space]);
        return (ns, name, line[(space + 1)..]);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var r = await CliRun.RunAsync(args);
        return (r.ExitCode, r.Out, r.Error);
    }
}
