using StreamList.Cli;

namespace StreamList.Tests.Support;

/// <summary>Runs the <c>streamlist</c> command line in process, capturing stdout, stderr and binary stdout.</summary>
public static class CliRun
{
    /// <summary>What a run returned and wrote.</summary>
    public sealed record Result(int ExitCode, string Out, string Error, byte[] Binary)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync(outputIsTerminal: false, args);

    public static async Task<Result> RunAsync(bool outputIsTerminal, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var binary = new MemoryStream();
        int exit = await Program.RunAsync(args, new CliConsole(stdout, stderr, () => binary, outputIsTerminal), CancellationToken.None);
        return new Result(exit, stdout.ToString(), stderr.ToString(), binary.ToArray());
    }
}
