using StreamList.MemoryBench;

namespace StreamList.Tests.Bench;

/// <summary>The memory benchmark's flags: values parse, a bad value is a UsageException naming the flag and the value.</summary>
public class BenchArgumentsTests
{
    [Fact]
    public void Numbers_and_pairs_parse_and_absent_flags_take_their_default()
    {
        string[] args = ["--settle", "90.5", "--pods", "500000", "--client-env", "DOTNET_gcServer=1,DOTNET_GCgen0size=0x10000000"];
        Assert.Equal(90.5, BenchProcess.Number(args, "--settle", 60));
        Assert.Equal(60, BenchProcess.Number(args, "--seconds", 60));
        Assert.Equal(500_000, BenchProcess.Count(args, "--pods", 20_000));
        Assert.Equal(3, BenchProcess.Count(args, "--repeat", 3));
        var env = BenchProcess.Pairs(args, "--client-env");
        Assert.Equal("1", env["DOTNET_gcServer"]);
        Assert.Equal("0x10000000", env["DOTNET_GCgen0size"]);
        Assert.Empty(BenchProcess.Pairs([], "--client-env"));
    }

    [Theory]
    [InlineData("--settle", "abc")]
    [InlineData("--settle", "NaN")]
    [InlineData("--seconds", "")]
    public void A_value_that_is_not_a_number_names_the_flag(string flag, string value)
    {
        var e = Assert.Throws<UsageException>(() => BenchProcess.Number([flag, value], flag, 1));
        Assert.Equal($"{flag} wants a number, got '{value}'", e.Message);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("5e9")]
    [InlineData("many")]
    public void A_count_that_is_not_a_whole_number_names_the_flag(string value)
    {
        var e = Assert.Throws<UsageException>(() => BenchProcess.Count(["--pods", value], "--pods", 1));
        Assert.Equal($"--pods wants a whole number, got '{value}'", e.Message);
    }

    [Theory]
    [InlineData("DOTNET_gcServer")]
    [InlineData("=1")]
    [InlineData("A=1,B")]
    public void A_pair_without_a_name_or_an_equals_sign_names_the_flag(string spec)
    {
        var e = Assert.Throws<UsageException>(() => BenchProcess.Pairs(["--client-env", spec], "--client-env"));
        Assert.StartsWith("--client-env wants NAME=VALUE pairs, got '", e.Message, StringComparison.Ordinal);
    }
}
