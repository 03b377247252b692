namespace StreamList.Cli;

/// <summary>
/// Where a command writes: text output, errors, and the raw standard output for binary data.
/// The process uses the real console; tests pass writers and a stream they can read back.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, Func<Stream> openStandardOutput, bool outputIsTerminal)
{
    /// <summary>Text output (stdout).</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Errors (stderr): one line per failure.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>True when stdout is a terminal, where binary output would be garbage.</summary>
    public bool OutputIsTerminal { get; } = outputIsTerminal;

    /// <summary>Opens stdout for binary data; flushes <see cref="Out"/> first so text and bytes keep their order.</summary>
    public Stream OpenStandardOutput()
    {
        Out.Flush();
        return openStandardOutput();
    }

    public static CliConsole FromSystemConsole() =>
        new(Console.Out, Console.Error, Console.OpenStandardOutput, outputIsTerminal: !Console.IsOutputRedirected);
}
