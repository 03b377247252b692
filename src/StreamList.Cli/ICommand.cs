using System.CommandLine;

namespace StreamList.Cli;

/// <summary>
/// One streamlist command (<c>streamlist NAME ARGS</c>), registered in <see cref="Program.Commands"/>.
/// Contract: <see cref="Declaration"/> is the one description of its arguments and options (System.CommandLine):
/// parsing, <c>--help</c>, the usage line (<see cref="Synopsis"/>) and the README's command table all come
/// from it. <see cref="RunAsync"/> gets the parsed line (no parse errors), reads typed values from it, writes
/// only through the <see cref="CliConsole"/> (so tests run it in process) and returns an exit code from
/// <see cref="ExitCodes"/>. Bad values throw <see cref="UsageException"/>, unusable input a
/// <see cref="CliException"/> or <see cref="StreamList.Wire.KubernetesWireException"/>; the dispatcher
/// turns each into one line on stderr.
/// </summary>
internal interface ICommand
{
    /// <summary>The command's name, description, arguments and options.</summary>
    Command Declaration { get; }

    /// <summary>Runs the command on a line that parsed without errors.</summary>
    Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken);
}

/// <summary>streamlist's exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int BadInput = 2;
    public const int Interrupted = 130;
}

/// <summary>A failure the user can fix (a missing file, an unsupported conversion): one line, exit code 2.</summary>
internal class CliException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Bad command-line arguments: one line with the command's usage, exit code 2.</summary>
internal sealed class UsageException(string message) : CliException(message);
