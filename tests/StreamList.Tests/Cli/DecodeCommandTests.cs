using System.Text.Json.Nodes;
using StreamList.Cli;
using StreamList.Tests.Support;
using StreamList.Codec;

namespace StreamList.Tests.Cli;

/// <summary>
/// <c>streamlist decode</c>, run in process through the same entry point as the executable
/// (<see cref="Program.RunAsync"/>), on the fixture files, JSON, cut and malformed input and bad
/// command lines. Failures are exit code 2 and exactly one line on stderr, never a stack trace.
/// </summary>
public sealed class DecodeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamlist-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Names => Fixtures.All();

    private static Task<CliRun.Result> Run(params string[] args) => CliRun.RunAsync(outputIsTerminal: false, args);

    private static Task<CliRun.Result> Run(bool outputIsTerminal, params string[] args) => CliRun.RunAsync(outputIsTerminal, args);

    private static string FixturePath(string name, string extension) => Path.Combine(Fixtures.Dir, name + extension);

    /// <summary>The --kind a fixture needs when its envelope does not name its type (the watch event).</summary>
    private static string[] KindOption(string name) =>
        ProtoBytes.Open(Fixtures.Protobuf(name)).Kind.Length > 0 ? [] : ["--kind", "v1/" + name[(name.LastIndexOf('.') + 1)..]];

    private static void AssertOneLineFailure(CliRun.Result r, params string[] mentions)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(string.Empty, r.Out);
        Assert.Single(r.ErrorLines);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
        foreach (var m in mentions)
            Assert.Contains(m, r.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Decodes_fixture_pb_to_KubernetesClient_json(string name)
    {
        var r = await Run(["decode", FixturePath(name, ".pb"), .. KindOption(name)]);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal("", r.Error);
        var expected = KubernetesJsonUtil.Serialize(KubernetesProtobuf.Decode(Fixtures.Protobuf(name), Schemas.FixtureType(name)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(r.Out)), r.Out);
        Assert.EndsWith("\n", r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Summary_is_one_line_kind_name_namespace_bytes(string name)
    {
        var r = await Run(["decode", FixturePath(name, ".pb"), "--output", "summary", .. KindOption(name)]);
        Assert.Equal(0, r.ExitCode);
        var value = KubernetesProtobuf.Decode(Fixtures.Protobuf(name), Schemas.FixtureType(name));
        var meta = (value as k8s.Models.IMetadata<k8s.Models.V1ObjectMeta>)?.Metadata;
        string kind = name[(name.LastIndexOf('.') + 1)..];
        string Dash(string? s) => string.IsNullOrEmpty(s) ? "-" : s;
        Assert.Equal($"{kind} {Dash(meta?.Name)} {Dash(meta?.NamespaceProperty)} {Fixtures.Protobuf(name).Length}\n", r.Out);
    }

    [Fact]
    public async Task Summary_of_a_pod()
    {
        var r = await Run("decode", FixturePath("core.v1.Pod", ".pb"), "--output=summary");
        Assert.Equal("Pod nameValue namespaceValue 13572\n", r.Out);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Protobuf_output_re_encodes_the_fixture(string name)
    {
        var outFile = Path.Combine(_dir, name + ".out.pb");
        var r = await Run(["decode", FixturePath(name, ".pb"), "--output", "protobuf", "-o", outFile, .. KindOption(name)]);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal("", r.Out);
        if (KindOption(name).Length == 0)
        {
            Assert.Equal(Fixtures.Protobuf(name), File.ReadAllBytes(outFile));
            return;
        }
        // An envelope that did not name its kind is written with the kind named: the same object.
        var again = await Run("decode", outFile);
        Assert.Equal((await Run(["decode", FixturePath(name, ".pb"), .. KindOption(name)])).Out, again.Out);
    }

    [Fact]
    public async Task Protobuf_output_goes_to_stdout_as_binary_unless_it_is_a_terminal()
    {
        var pod = FixturePath("core.v1.Pod", ".pb");
        var r = await Run("decode", pod, "--output", "protobuf");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Fixtures.Protobuf("core.v1.Pod"), r.Binary);

        var terminal = await Run(outputIsTerminal: true, "decode", pod, "--output", "protobuf");
        AssertOneLineFailure(terminal, "terminal", "--out FILE");
        Assert.Empty(terminal.Binary);
    }

    [Fact]
    public async Task Decodes_a_json_file_by_its_apiVersion_and_kind()
    {
        var json = await Run("decode", FixturePath("core.v1.Pod", ".json"));
        Assert.Equal(0, json.ExitCode);
        var expected = KubernetesJsonUtil.Serialize(KubernetesProtobuf.Decode(Fixtures.Protobuf("core.v1.Pod")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(json.Out)));

        // JSON in, protobuf out: what the apiserver would have sent.
        var outFile = Path.Combine(_dir, "pod.pb");
        Assert.Equal(0, (await Run("decode", FixturePath("apps.v1.Deployment", ".json"), "--output", "protobuf", "-o", outFile)).ExitCode);
        Assert.Equal(Fixtures.Protobuf("apps.v1.Deployment"), File.ReadAllBytes(outFile));

        long size = new FileInfo(FixturePath("apps.v1.Deployment", ".json")).Length;
        Assert.Equal($"Deployment nameValue namespaceValue {size}\n", (await Run("decode", FixturePath("apps.v1.Deployment", ".json"), "--output", "summary")).Out);

        // A kind KubernetesClient models but the protobuf codec does not know decodes from JSON.
        var role = Path.Combine(_dir, "role.json");
        File.WriteAllText(role, """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","namespace":"ns"}}""");
        Assert.Equal($"Role r ns {new FileInfo(role).Length}\n", (await Run("decode", role, "--output", "summary")).Out);
        AssertOneLineFailure(await Run("decode", role, "--output", "protobuf"), "no Kubernetes protobuf encoding");

        // JSON without apiVersion/kind needs --kind.
        AssertOneLineFailure(await Run("decode", FixturePath("core.v1.WatchEvent", ".json")), "--kind");
        Assert.Equal(0, (await Run("decode", FixturePath("core.v1.WatchEvent", ".json"), "--kind", "v1/WatchEvent")).ExitCode);
    }

    [Fact]
    public async Task Truncated_file_fails_with_one_line_naming_offset_and_field()
    {
        var cut = Path.Combine(_dir, "cut.pb");
        File.WriteAllBytes(cut, Fixtures.Protobuf("core.v1.Pod")[..500]);
        var r = await Run("decode", cut);
        AssertOneLineFailure(r, "cut.pb", "Truncated", "at byte 18", "in raw");

        // Cut inside the body of an otherwise complete envelope: the field inside the object is named.
        var raw = ProtoBytes.Open(Fixtures.Protobuf("core.v1.Pod")).Raw;
        var fields = WireMessage.Parse(raw);
        Assert.Equal([1, 2, 3], fields.Select(f => f.Number));
        File.WriteAllBytes(cut, ProtoBytes.Envelope("v1", "Pod", raw.AsSpan(0, fields[1].Start + 20)));
        AssertOneLineFailure(await Run("decode", cut), "Truncated", "in spec:");
    }

    [Fact]
    public async Task Malformed_input_fails_with_one_line()
    {
        var bad = Path.Combine(_dir, "bad.pb");
        var body = ProtoBytes.Envelope("v1", "Pod", ProtoBytes.LenField(1, ProtoBytes.VarintField(3, 1)));
        File.WriteAllBytes(bad, body);
        AssertOneLineFailure(await Run("decode", bad), "WrongWireType", $"at byte {ProtoBytes.Open(body).RawOffset + 3} ", "in metadata.namespace");

        File.WriteAllBytes(bad, "not protobuf"u8.ToArray());
        AssertOneLineFailure(await Run("decode", bad), "BadMagic", "at byte 0");

        File.WriteAllBytes(bad, ProtoBytes.Envelope("v1", "Frobnicator", []));
        AssertOneLineFailure(await Run("decode", bad), "UnknownKind", "--kind");

        var json = Path.Combine(_dir, "bad.json");
        File.WriteAllText(json, "{\"apiVersion\":\"v1\",\n\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":3}]}}");
        AssertOneLineFailure(await Run("decode", json), "InvalidJson", "at byte 64 ", "in spec.containers[0].name");

        File.WriteAllText(json, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",");
        AssertOneLineFailure(await Run("decode", json), "InvalidJson");

        File.WriteAllText(json, "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\"}");
        AssertOneLineFailure(await Run("decode", json), "UnknownKind", "Widget");
    }

    [Theory]
    [InlineData("decode", "--bogus", "FILE")]
    [InlineData("decode", "FILE", "--output", "xml")]
    [InlineData("decode", "FILE", "--output")]
    [InlineData("decode", "FILE", "-o", "a", "-o", "b")]
    [InlineData("decode", "FILE", "FILE")]
    [InlineData("decode")]
    [InlineData("decode", "FILE", "--kind", "Pod")]
    [InlineData("decode", "FILE", "--kind", "v9/Nothing")]
    public async Task Bad_command_line_is_exit_2_with_a_clear_message(params string[] args)
    {
        var file = FixturePath("core.v1.Pod", ".pb");
        var r = await Run([.. args.Select(a => a == "FILE" ? file : a)]);
        AssertOneLineFailure(r, "streamlist decode:", "usage: streamlist decode FILE");
    }

    [Fact]
    public async Task Missing_file_is_exit_2_naming_it()
    {
        var missing = Path.Combine(_dir, "nope.pb");
        AssertOneLineFailure(await Run("decode", missing), "nope.pb", "no such file");
        AssertOneLineFailure(await Run("decode", Path.Combine(_dir, "no-dir", "x.pb")), "no such file");
    }

    [Fact]
    public async Task Usage_lists_the_commands()
    {
        var none = await Run();
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("decode", none.Error, StringComparison.Ordinal);

        var help = await Run("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var command in Program.Commands)
        {
            Assert.Contains("  " + command.Declaration.Name + " ", help.Out, StringComparison.Ordinal);
            Assert.Contains("streamlist " + Synopsis.Of(command.Declaration), help.Out, StringComparison.Ordinal);
        }

        var unknown = await Run("frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("streamlist: unknown command 'frobnicate'", unknown.Error, StringComparison.Ordinal);
    }
}
