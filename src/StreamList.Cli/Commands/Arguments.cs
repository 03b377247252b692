using System.Globalization;

namespace StreamList.Cli.Commands;

/// <summary>Typed option values with one clear usage error each.</summary>
internal static class Arguments
{
    public static int? Int(CommandLine line, string option, int min)
    {
        if (line.Value(option) is not { } text)
            return null;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n >= min
            ? n : throw new UsageException($"{option} must be an integer ≥ {min}, not '{text}'");
    }

    public static double? Double(CommandLine line, string option, double min)
    {
        if (line.Value(option) is not { } text)
            return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= min
            ? d : throw new UsageException($"{option} must be a number ≥ {min}, not '{text}'");
    }
}
