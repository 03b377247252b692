using System.CommandLine;
using System.CommandLine.Help;
using StreamList.Cli.Commands;
using StreamList.Wire;

namespace StreamList.Cli;

/// <summary>
/// streamlist's entry point: <c>streamlist COMMAND [ARGS]</c>. The commands in <see cref="Commands"/> are
/// declared with System.CommandLine and parsed by it; help and usage come from the same declarations. Exit codes: 0 success,
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

    /// <summary>The root of the declarations: <c>streamlist</c> and every command under it.</summary>
    private static readonly RootCommand Root = BuildRoot();

    private static RootCommand BuildRoot()
    {
        var root = new RootCommand("streamlist: Kubernetes lists, watches and informers that stream");
        foreach (var c in Commands)
            root.Add(c.Declaration);
        return root;
    }

    /// <summary>Runs one command line against <paramref name="console"/>; what <see cref="Main"/> and tests call.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var parsed = Root.Parse(args);
        var command = Commands.FirstOrDefault(c => c.Declaration == parsed.CommandResult.Command);
        if (command is null)
        {
            if (args.Count > 0 && args[0] is "-h" or "--help" or "-?" or "help")
            {
                WriteUsage(console.Out);
                return ExitCodes.Ok;
            }
            if (args.Count > 0)
                console.Error.WriteLine($"streamlist: unknown command '{args[0]}'");
            WriteUsage(console.Error);
            return ExitCodes.Usage;
        }
        if (parsed.Action is HelpAction)
        {
            console.Out.WriteLine($"usage: streamlist {Synopsis.Of(command.Declaration)}");
            console.Out.WriteLine();
            parsed.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });
            return ExitCodes.Ok;
        }
        string prefix = "streamlist " + command.Declaration.Name + ": ";
        string usage = " (usage: streamlist " + Synopsis.Of(command.Declaration) + ")";
        if (parsed.Errors.Count > 0)
        {
            console.Error.WriteLine(prefix + OneLine(parsed.Errors[0].Message) + usage);
            return ExitCodes.Usage;
        }
        try
        {
            return await command.RunAsync(parsed, console, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            console.Error.WriteLine(prefix + OneLine(e.Message) + usage);
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
        w.WriteLine("usage: streamlist COMMAND [ARGS]   (streamlist COMMAND --help for a command's options)");
        w.WriteLine();
        w.WriteLine("commands:");
        int width = Commands.Max(c => c.Declaration.Name.Length);
        foreach (var c in Commands)
            w.WriteLine($"  {c.Declaration.Name.PadRight(width)}  {c.Declaration.Description}");
        w.WriteLine();
        foreach (var c in Commands)
            w.WriteLine($"  streamlist {Synopsis.Of(c.Declaration)}");
    }

    /// <summary>Error text on one line: newlines and tabs become single spaces.</summary>
    internal static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
