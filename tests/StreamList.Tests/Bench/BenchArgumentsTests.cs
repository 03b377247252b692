using System.CommandLine;
using StreamList.MemoryBench;

namespace StreamList.Tests.Bench;

/// <summary>
/// The memory benchmark's flags, parsed by its System.CommandLine declaration: values parse, absent flags take
/// their defaults, a bad value is an error naming the flag and the value.
/// </summary>
public class BenchArgumentsTests
{
    [Fact]
    public void Numbers_and_pairs_parse_and_absent_flags_take_their_default()
    {
        var p = BenchCommands.Root.Parse(["storm", "--settle", "90.5", "--pods", "500000", "--client-env", "DOTNET_gcServer=1,DOTNET_GCgen0size=0x10000000"]);
        Assert.Empty(p.Errors);
        Assert.Equal(90.5, p.GetValue(BenchCommands.Settle));
        Assert.Equal(60, p.GetValue(BenchCommands.Seconds));
        Assert.Equal(500_000, p.GetValue(BenchCommands.StormPods));
        Assert.Equal(4000, p.GetValue(BenchCommands.Rate));
        var env = p.GetRequiredValue(BenchCommands.StormClientEnv);
        Assert.Equal("1", env["DOTNET_gcServer"]);
        Assert.Equal("0x10000000", env["DOTNET_GCgen0size"]);

        var run = BenchCommands.Root.Parse(["run"]);
        Assert.Empty(run.Errors);
        Assert.Equal(3, run.GetValue(BenchCommands.Repeat));
        Assert.Equal(100_000, run.GetValue(BenchCommands.RunPods));
        Assert.Empty(run.GetRequiredValue(BenchCommands.RunClientEnv));
        Assert.Null(BenchCommands.Root.Parse(["storm"]).GetValue(BenchCommands.Settle));
        Assert.Equal("objects", BenchCommands.Root.Parse(["storm"]).GetValue(BenchCommands.StormStore));
        Assert.Equal("compressed", BenchCommands.Root.Parse(["storm", "--store", "compressed"]).GetValue(BenchCommands.StormStore));
        Assert.Single(BenchCommands.Root.Parse(["storm", "--store", "bytes"]).Errors);
        Assert.Equal(2, BenchCommands.Root.Parse(["storm"]).GetValue(BenchCommands.LimitFactor));
        Assert.Equal(1.12, BenchCommands.Root.Parse(["storm", "--limit-factor", "1.12"]).GetValue(BenchCommands.LimitFactor));
        Assert.Equal("--limit-factor must be a number ≥ 1, not '0.5'", Assert.Single(BenchCommands.Root.Parse(["storm", "--limit-factor", "0.5"]).Errors).Message);
    }

    [Theory]
    [InlineData("--settle", "abc")]
    [InlineData("--settle", "NaN")]
    [InlineData("--settle", "Infinity")]
    [InlineData("--seconds", "-1")]
    public void A_value_that_is_not_a_number_names_the_flag(string flag, string value)
    {
        var p = BenchCommands.Root.Parse(["storm", flag, value]);
        Assert.Equal($"{flag} must be a number ≥ 0, not '{value}'", Assert.Single(p.Errors).Message);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("5e9")]
    [InlineData("many")]
    public void A_count_that_is_not_a_whole_number_names_the_flag(string value)
    {
        var p = BenchCommands.Root.Parse(["storm", "--pods", value]);
        Assert.Equal($"--pods must be an integer ≥ 1, not '{value}'", Assert.Single(p.Errors).Message);
    }

    [Theory]
    [InlineData("DOTNET_gcServer")]
    [InlineData("=1")]
    [InlineData("A=1,B")]
    public void A_pair_without_a_name_or_an_equals_sign_names_the_flag(string spec)
    {
        var p = BenchCommands.Root.Parse(["run", "--client-env", spec]);
        Assert.StartsWith("--client-env wants NAME=VALUE pairs, got '", Assert.Single(p.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_needs_its_mode_and_server()
    {
        var p = BenchCommands.Root.Parse(["client", "--pods", "10"]);
        Assert.Equal(2, p.Errors.Count);
    }

    [Fact]
    public void A_mode_may_carry_its_own_environment()
    {
        var plain = ModeSpec.Parse("informer-objects");
        Assert.Equal("informer-objects", plain.Mode);
        Assert.Empty(plain.Env);
        var (mode, env) = ModeSpec.Parse("informer-objects@DOTNET_gcServer=1+STREAMLIST_BENCH_GC=NoGCRegion:7500");
        Assert.Equal("informer-objects", mode);
        Assert.Equal(new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["STREAMLIST_BENCH_GC"] = "NoGCRegion:7500" }, env);
        var e = Assert.Throws<UsageException>(() => ModeSpec.Parse("informer-objects@DOTNET_gcServer"));
        Assert.StartsWith("--modes wants NAME=VALUE pairs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Touch_takes_a_size_in_mebibytes()
    {
        Assert.Equal(3400, BenchCommands.Root.Parse(["touch"]).GetValue(BenchCommands.TouchMib));
        Assert.Equal("--mib must be an integer ≥ 1, not '0'", Assert.Single(BenchCommands.Root.Parse(["touch", "--mib", "0"]).Errors).Message);
    }
}
