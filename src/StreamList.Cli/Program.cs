using StreamList.Cli.Commands;
using StreamList.Wire;

namespace StreamList.Cli;

/// <summary>
/// streamlist's entry point: <c>streamlist COMMAND [ARGS]</c>. The first argument picks a command
/// from <see cref="Commands"/>; everything after it is the command's. Exit codes: 0 success,
/// 1 unexpected failure, 2 bad usage or bad input, 130 interrupted. Errors are one line on
/// stderr, never a stack trace.
/// </summary>
internal static class Program
{
    /// <summary>Every command, in the order usage lists them. Adding a command: its file under Commands/ and one line here.</summary>
    internal static readonly IReadOnlyList<ICommand> Commands =
    [
        new DemoCommand(),
        new ListCommand(),
        new SyncCommand(),
        new FixtureCommand(),
        new ServeCommand(),
        new DecodeCommand(),
    ];

    public static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return await RunAsync(args, CliConsole.FromSystemConsole(), cts.Token).ConfigureAwait(false);
    }

    /// <summary>Runs one command line against <paramref name="console"/>; what <see cref="Main"/> and tests call.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        if (args.Count == 0)
        {
            WriteUsage(console.Error);
            return ExitCodes.Usage;
        }
        if (args[0] is "-h" or "--help" or "help")
        {
            WriteUsage(console.Out);
            return ExitCodes.Ok;
        }
        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            console.Error.WriteLine($"streamlist: unknown command '{args[0]}'");
            WriteUsage(console.Error);
            return ExitCodes.Usage;
        }
        if (args.Skip(1).TakeWhile(a => a != "--").Any(a => a is "-h" or "--help"))
        {
            console.Out.WriteLine(command.Summary);
            console.Out.WriteLine($"usage: streamlist {command.Usage}");
            return ExitCodes.Ok;
        }
        string prefix = "streamlist " + command.Name + ": ";
        try
        {
            return await command.RunAsync([.. args.Skip(1)], console, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            console.Error.WriteLine(prefix + OneLine(e.Message) + " (usage: streamlist " + command.Usage + ")");
            return ExitCodes.Usage;
        }
        catch (CliException e)
        {
            console.Error.WriteLine(prefix + OneLine(e.Message));
            return ExitCodes.Usage;
        }
        catch (KubernetesWireException e)
        {
            console.Error.WriteLine(prefix + OneLine(e.Message));
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine(prefix + "interrupted");
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // The top level turns every failure into one line and an exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            console.Error.WriteLine(prefix + OneLine($"{e.GetType().Name}: {e.Message}"));
            return ExitCodes.Failure;
        }
    }

    private static void WriteUsage(TextWriter w)
    {
        w.WriteLine("usage: streamlist COMMAND [ARGS]");
        w.WriteLine();
        w.WriteLine("commands:");
        int width = Commands.Max(c => c.Name.Length);
        foreach (var c in Commands)
            w.WriteLine($"  {c.Name.PadRight(width)}  {c.Summary}");
        w.WriteLine();
        foreach (var c in Commands)
            w.WriteLine($"  streamlist {c.Usage}");
    }

    /// <summary>Error text on one line: newlines become spaces.</summary>
    internal static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
