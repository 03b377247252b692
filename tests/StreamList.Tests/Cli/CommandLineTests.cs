using System.CommandLine;
using System.Text.Json;
using StreamList.Cli;
using StreamList.Cli.Commands;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Tests.Support;
using StreamList.Testing.Server;

namespace StreamList.Tests.Cli;

/// <summary>
/// The command line as declared (System.CommandLine): the README's table is the declarations' synopsis,
/// every option is in <c>--help</c>, older option names keep working as aliases, bad values are one line
/// and exit 2, and the commands that pick a model type by <c>--resource</c> run against the fake server.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamlist-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<CliRun.Result> RunAsync(params string[] args) => CliRun.RunAsync(args);

    private static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamList.sln")))
                return Path.Combine(dir.FullName, "README.md");
        }
        throw new InvalidOperationException("README.md not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The first cell of each row of the README's table under "## The command line", unescaped.</summary>
    private static List<string> ReadmeCommandRows()
    {
        var lines = File.ReadAllLines(ReadmePath());
        int start = Array.FindIndex(lines, l => l.StartsWith("## The command line", StringComparison.Ordinal));
        Assert.True(start >= 0, "README has no '## The command line' section");
        return lines.Skip(start + 1)
            .TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Replace("\\|", "\u0001", StringComparison.Ordinal).Split('`')[1].Replace("\u0001", "|", StringComparison.Ordinal))
            .ToList();
    }

    [Fact]
    public void The_READMEs_command_table_is_the_declared_synopsis_of_every_command()
    {
        var expected = Program.Commands.Select(c => Synopsis.Of(c.Declaration)).ToList();
        Assert.Equal(expected, ReadmeCommandRows());
    }

    [Fact]
    public async Task Help_names_every_option_and_the_usage_line_of_each_command()
    {
        foreach (var command in Program.Commands)
        {
            var r = await RunAsync(command.Declaration.Name, "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.StartsWith("usage: streamlist " + Synopsis.Of(command.Declaration), r.Out, StringComparison.Ordinal);
            foreach (var option in command.Declaration.Options)
            {
                Assert.Contains(option.Name, r.Out, StringComparison.Ordinal);
                Assert.Contains(option.Name, Synopsis.Of(command.Declaration) + " --help", StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Each_option_name_has_one_meaning_across_commands()
    {
        // The same name (or alias) must take the same kind of value wherever it appears.
        var byName = new Dictionary<string, (Type Type, string? HelpName, string Command)>(StringComparer.Ordinal);
        foreach (var command in Program.Commands)
        {
            foreach (var option in command.Declaration.Options.Where(o => o.Name != "--help"))
            {
                foreach (var name in option.Aliases.Append(option.Name))
                {
                    var meaning = (Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType, option.HelpName, command.Declaration.Name);
                    if (byName.TryGetValue(name, out var seen))
                    {
                        Assert.True(seen.Type == meaning.Item1 && seen.HelpName == meaning.HelpName,
                            $"{name} takes {seen.HelpName} ({seen.Type.Name}) in {seen.Command} but {meaning.HelpName} ({meaning.Item1.Name}) in {command.Declaration.Name}");
                    }
                    else
                    {
                        byName[name] = meaning;
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("fixture", "--pods", "x", "--out", "F", "--pods must be an integer ≥ 0, not 'x'")]
    [InlineData("fixture", "--pods", "-1", "--out", "F", "--pods must be an integer ≥ 0, not '-1'")]
    [InlineData("fixture", "--pods", "1", "--out", "F", "--encoding", "xml", "--encoding must be protobuf or json, not 'xml'")]
    [InlineData("fixture", "--pods", "1", "--out", "F", "--format", "xml", "--format must be protobuf or json, not 'xml'")]
    [InlineData("fixture", "--out", "F", "--pods")]
    [InlineData("fixture", "--pods", "1", "Option '--out' is required")]
    [InlineData("sync", "--server", "http://127.0.0.1:1/", "--resource", "pods", "--seconds", "-1", "--seconds must be a number ≥ 0, not '-1'")]
    [InlineData("sync", "--server", "http://127.0.0.1:1/", "--resource", "pods", "--summary-every", "1", "--summary-every needs --summary")]
    [InlineData("sync", "--server", "http://127.0.0.1:1/", "--resource", "widgets", "unknown --resource 'widgets'")]
    [InlineData("sync", "--server", "http://127.0.0.1:1/", "--resource", "pods", "--compression", "zstd", "--compression zstd needs --store compact")]
    [InlineData("sync", "--server", "http://127.0.0.1:1/", "--resource", "pods", "--store", "compact", "--compression", "gzip", "--compression must be none or zstd, not 'gzip'")]
    [InlineData("list", "--resource", "pods", "give exactly one of --server URL and --kubeconfig PATH")]
    [InlineData("list", "--server", "ftp://x", "--resource", "pods", "--server must be an http(s) URL")]
    [InlineData("serve", "--nodes", "100000", "--nodes is at most")]
    [InlineData("demo", "--seconds", "1", "--seconds must be a number ≥ 3, not '1'")]
    [InlineData("demo", "--bogus", "'--bogus'")]
    public async Task A_bad_value_is_one_line_with_the_usage_and_exit_2(params string[] argsThenMessage)
    {
        string message = argsThenMessage[^1];
        var r = await RunAsync(argsThenMessage[..^1]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"streamlist {argsThenMessage[0]}: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Contains("(usage: streamlist " + argsThenMessage[0], line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Older_option_names_write_the_same_files_as_the_new_ones()
    {
        string a = Path.Combine(_dir, "a.json"), b = Path.Combine(_dir, "b.json");
        Assert.Equal(0, (await RunAsync("fixture", "--pods", "3", "--format", "json", "-o", a, "--quiet")).ExitCode);
        Assert.Equal(0, (await RunAsync("fixture", "--pods", "3", "--encoding", "json", "--out", b, "--quiet")).ExitCode);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Equal((byte)'{', File.ReadAllBytes(a)[0]);

        string pod = Path.Combine(Fixtures.Dir, "core.v1.Pod.pb");
        var old = await RunAsync("decode", pod, "--output", "summary");
        var current = await RunAsync("decode", pod, "--to", "summary");
        Assert.Equal(0, current.ExitCode);
        Assert.Equal(current.Out, old.Out);
        Assert.StartsWith("Pod ", current.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_and_sync_pick_the_model_by_resource_and_agree_on_the_cache()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 300 });
        server.Collection<k8s.Models.V1Node>().Create(new k8s.Models.V1Node { Metadata = new() { Name = "node-a" } });
        string url = server.BaseAddress.ToString();

        var protobuf = Json(await RunAsync("list", "--server", url, "--resource", "pods", "--summary", "--quiet"));
        var json = Json(await RunAsync("list", "--server", url, "--resource", "pods", "--encoding", "json", "--summary", "--quiet"));
        var jsonOldName = Json(await RunAsync("list", "--server", url, "--resource", "pods", "--format", "json", "--summary", "--quiet"));
        var held = Json(await RunAsync("list", "--server", url, "--resource", "pods", "--hold", "--summary", "--quiet"));
        Assert.Equal(300, protobuf.GetProperty("items").GetInt64());
        Assert.Equal((300L, protobuf.GetProperty("keysSha256").GetString()), (held.GetProperty("items").GetInt64(), held.GetProperty("keysSha256").GetString()));
        Assert.Equal(protobuf.GetProperty("keysSha256").GetString(), json.GetProperty("keysSha256").GetString());
        Assert.Equal(json.GetProperty("bytes").GetInt64(), jsonOldName.GetProperty("bytes").GetInt64());
        Assert.NotEqual(protobuf.GetProperty("bytes").GetInt64(), json.GetProperty("bytes").GetInt64()); // the encodings differ on the wire

        var sync = Json(await RunAsync("sync", "--server", url, "--resource", "pods", "--summary", "--quiet"));
        Assert.Equal(300, sync.GetProperty("objects").GetInt32());
        Assert.Equal(protobuf.GetProperty("keysSha256").GetString(), sync.GetProperty("keysSha256").GetString());
        Assert.Equal(sync.GetProperty("backoffs").GetInt64(), sync.GetProperty("failures").GetInt64());

        var nodes = Json(await RunAsync("sync", "--server", url, "--resource", "nodes", "--summary", "--quiet"));
        Assert.Equal(1, nodes.GetProperty("objects").GetInt32());

        // Without managedFields (what they save is measured in docs/benchmarks.md): the same objects, the same bytes read.
        foreach (string encoding in new[] { "protobuf", "json" })
        {
            var lean = Json(await RunAsync("list", "--server", url, "--resource", "pods", "--encoding", encoding, "--hold", "--drop-managed-fields", "--summary", "--quiet"));
            Assert.Equal(protobuf.GetProperty("keysSha256").GetString(), lean.GetProperty("keysSha256").GetString());
            Assert.Equal((encoding == "json" ? json : protobuf).GetProperty("bytes").GetInt64(), lean.GetProperty("bytes").GetInt64());
        }
        var leanSync = Json(await RunAsync("sync", "--server", url, "--resource", "pods", "--drop-managed-fields", "--summary", "--quiet"));
        Assert.Equal((300, sync.GetProperty("keysSha256").GetString()), (leanSync.GetProperty("objects").GetInt32(), leanSync.GetProperty("keysSha256").GetString()));
    }

    [Fact]
    public void Sync_with_drop_managed_fields_runs_the_informer_with_the_transform_its_list_and_watch_recognise()
    {
        var settings = new SyncCommand.SyncSettings(null, TimeSpan.Zero, StoreMode.Objects, WatchList: false, Quiet: true);
        var gate = new RelistGate();
        Assert.Null(SyncCommand.InformerOptionsFor<k8s.Models.V1Pod>(settings, gate, null).Transform);
        var lean = SyncCommand.InformerOptionsFor<k8s.Models.V1Pod>(settings with { DropManagedFields = true }, gate, null);
        // The method group itself: what the reflector recognises to ask for SkipManagedFields (SkipManagedFieldsRequestTests).
        Assert.Equal(typeof(Transforms).GetMethod(nameof(Transforms.DropManagedFields))!.MakeGenericMethod(typeof(k8s.Models.V1Pod)), lean.Transform!.Method);
        Assert.Null(lean.Transform.Target);
    }

    private static JsonElement Json(CliRun.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Error);
        return JsonDocument.Parse(r.Out.Trim().Split('\n')[^1]).RootElement.Clone();
    }
}
