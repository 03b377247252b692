using System.Globalization;

namespace StreamList.Benchmarks;

/// <summary>The few <c>--name value</c> options the non-BenchmarkDotNet modes take.</summary>
internal static class Options
{
    /// <summary>The value after <paramref name="name"/>, or null when the option is absent.</summary>
    public static string? String(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        if (at < 0)
            return null;
        if (at + 1 >= args.Length)
            throw new ArgumentException($"{name} needs a value");
        return args[at + 1];
    }

    /// <summary>A positive whole number, or <paramref name="fallback"/> when the option is absent.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        string? value = String(args, name);
        if (value is null)
            return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new ArgumentException($"{name} takes a positive whole number, not '{value}'");
        return n;
    }
}
