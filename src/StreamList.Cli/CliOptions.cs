using System.CommandLine;
using System.Globalization;
using System.CommandLine.Parsing;

namespace StreamList.Cli;

/// <summary>
/// Typed options with one clear error each: numbers with a lower bound, choices, flags, text. Names are
/// the option's meaning everywhere (<c>--encoding</c> is always protobuf|json on the wire or in a file;
/// <c>--out</c> always a file); an older name stays as an alias so scripts keep working.
/// </summary>
internal static class CliOptions
{
    public static Option<int> Int(string name, string valueName, string description, int min, int defaultValue) =>
        new(name) { HelpName = valueName, Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseInt(r, name, min) };

    public static Option<int> RequiredInt(string name, string valueName, string description, int min) =>
        new(name) { HelpName = valueName, Description = description, Required = true, CustomParser = r => ParseInt(r, name, min) };

    public static Option<int?> OptionalInt(string name, string valueName, string description, int min) =>
        new(name) { HelpName = valueName, Description = description, CustomParser = r => ParseInt(r, name, min) };

    public static Option<double> Double(string name, string valueName, string description, double min, double defaultValue) =>
        new(name) { HelpName = valueName, Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseDouble(r, name, min) };

    public static Option<double?> OptionalDouble(string name, string valueName, string description, double min) =>
        new(name) { HelpName = valueName, Description = description, CustomParser = r => ParseDouble(r, name, min) };

    public static Option<string> Choice(string name, string description, string defaultValue, string[] choices, params string[] aliases)
    {
        var option = new Option<string>(name, aliases) { HelpName = string.Join('|', choices), Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } v && !choices.Contains(v))
                r.AddError($"{r.IdentifierToken?.Value ?? name} must be {string.Join(" or ", choices)}, not '{v}'");
        });
        return option;
    }

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<string?> Text(string name, string valueName, string description, params string[] aliases) =>
        new(name, aliases) { HelpName = valueName, Description = description };

    public static Option<string> RequiredText(string name, string valueName, string description, params string[] aliases) =>
        new(name, aliases) { HelpName = valueName, Description = description, Required = true };

    /// <summary>Objects come without metadata.managedFields: skipped while decoding protobuf, dropped after decoding JSON.</summary>
    public static Option<bool> DropManagedFields() =>
        Flag("--drop-managed-fields", "objects without metadata.managedFields (protobuf: never decoded; JSON: dropped after decoding)");

    /// <summary>The progress line on stderr is off: for scripts that read stderr.</summary>
    public static Option<bool> Quiet() => Flag("--quiet", "no live progress line on stderr");

    private static int ParseInt(ArgumentResult result, string name, int min)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n >= min)
            return n;
        result.AddError($"{name} must be an integer ≥ {min}, not '{text}'");
        return default;
    }

    private static double ParseDouble(ArgumentResult result, string name, double min)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && d >= min)
            return d;
        result.AddError($"{name} must be a number ≥ {min}, not '{text}'");
        return default;
    }
}
