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
}
