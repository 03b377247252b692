using System.CommandLine;

namespace StreamList.Cli;

/// <summary>
/// The one-line usage of a command, made from its declaration: arguments as <c>NAME</c>, required options
/// as <c>--name VALUE</c>, the rest in brackets, flags without a value, choices as <c>a|b</c>. Aliases kept
/// for old scripts are not shown. What <c>--help</c>, usage errors and the README's command table print.
/// </summary>
internal static class Synopsis
{
    public static string Of(Command command)
    {
        var parts = new List<string> { command.Name };
        parts.AddRange(command.Arguments.Where(a => !a.Hidden).Select(a => a.Name));
        foreach (var option in command.Options)
        {
            if (option.Hidden || option.Name is "--help")
                continue;
            string text = option.ValueType == typeof(bool) ? option.Name : option.Name + " " + ValueName(option);
            parts.Add(option.Required ? text : "[" + text + "]");
        }
        return string.Join(' ', parts);
    }

    private static string ValueName(Option option) =>
        option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant();
}
