namespace StreamList.Cli;

/// <summary>
/// A command's arguments split into positionals and options. Options take a value
/// (<c>--output json</c>, <c>--output=json</c>, <c>-o FILE</c>) or are flags (<c>--verbose</c>);
/// <c>--</c> ends options. An option the command did not declare is a <see cref="UsageException"/>.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandLine(List<string> positionals) => Positionals = positionals;

    public IReadOnlyList<string> Positionals { get; }

    /// <param name="args">The arguments after the command name.</param>
    /// <param name="valueOptions">Options that take a value, each with its aliases: <c>["--out", "-o"]</c>; the first name is the key.</param>
    /// <param name="flags">Options without a value.</param>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyList<string[]> valueOptions, IReadOnlyList<string>? flags = null)
    {
        var byAlias = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var names in valueOptions)
        {
            foreach (var name in names)
                byAlias[name] = names[0];
        }
        var flagSet = new HashSet<string>(flags ?? [], StringComparer.Ordinal);
        var line = new CommandLine([]);
        var positionals = (List<string>)line.Positionals;
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg == "-" || !arg.StartsWith('-'))
            {
                positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }
            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            if (flagSet.Contains(name) && value is null)
            {
                line._flags.Add(name);
                continue;
            }
            if (!byAlias.TryGetValue(name, out var key))
                throw new UsageException($"unknown option '{name}'");
            if (value is null)
            {
                if (i + 1 >= args.Count)
                    throw new UsageException($"option '{name}' needs a value");
                value = args[++i];
            }
            if (!line._values.TryAdd(key, value))
                throw new UsageException($"option '{name}' given twice");
        }
        return line;
    }

    /// <summary>The value of an option (by its first name), or null when absent.</summary>
    public string? Value(string name) => _values.GetValueOrDefault(name);

    public bool Flag(string name) => _flags.Contains(name);
}
