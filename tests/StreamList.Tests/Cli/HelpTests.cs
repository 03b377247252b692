using StreamList.Cli;
using StreamList.Tests.Support;

namespace StreamList.Tests.Cli;

/// <summary><c>streamlist --help</c> and <c>streamlist COMMAND --help</c>: usage on stdout, exit 0, nothing run.</summary>
public class HelpTests
{
    private static async Task<(int Exit, string Out, string Error)> Run(params string[] args)
    {
        var r = await CliRun.RunAsync(args);
        return (r.ExitCode, r.Out, r.Error);
    }

    public static TheoryData<string> CommandNames => [.. Program.Commands.Select(c => c.Declaration.Name)];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Every_command_prints_its_usage_for_help(string name)
    {
        var command = Program.Commands.Single(c => c.Declaration.Name == name);
        foreach (var flag in new[] { "--help", "-h" })
        {
            // Other arguments (even required ones missing, or a server that does not exist) are not looked at.
            var (exit, stdout, stderr) = await Run(name, "--server", "http://127.0.0.1:1/", flag);
            Assert.Equal(0, exit);
            Assert.Equal("", stderr);
            Assert.Contains("usage: streamlist " + Synopsis.Of(command.Declaration), stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_after_double_dash_is_an_argument_not_a_request_for_help()
    {
        var (exit, _, stderr) = await Run("decode", "--", "--help");
        Assert.Equal(2, exit);
        Assert.Contains("--help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_level_help_lists_every_command()
    {
        var (exit, stdout, _) = await Run("--help");
        Assert.Equal(0, exit);
        foreach (var c in Program.Commands)
            Assert.Contains("streamlist " + Synopsis.Of(c.Declaration), stdout, StringComparison.Ordinal);
    }
}
