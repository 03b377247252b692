using System.Diagnostics;
using System.Globalization;

namespace StreamList.MemoryBench;

/// <summary>
/// Starting the benchmark's child processes (server, clients) and reading their arguments. A flag
/// whose value does not parse is a <see cref="UsageException"/> naming the flag and the value.
/// </summary>
internal static class BenchProcess
{
    /// <summary>Starts <c>dotnet DLL ARGS</c> with redirected output and extra environment variables.</summary>
    public static Process Start(string dll, string arguments, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {dll}");
    }

    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or null.</summary>
    public static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The number after <paramref name="name"/>, or <paramref name="fallback"/> when the flag is absent.</summary>
    public static double Number(string[] args, string name, double fallback)
    {
        string? value = Arg(args, name);
        if (value is null)
            return fallback;
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && double.IsFinite(n)
            ? n : throw new UsageException($"{name} wants a number, got '{value}'");
    }

    /// <summary>The whole number after <paramref name="name"/>, or <paramref name="fallback"/> when the flag is absent.</summary>
    public static int Count(string[] args, string name, int fallback)
    {
        string? value = Arg(args, name);
        if (value is null)
            return fallback;
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            ? n : throw new UsageException($"{name} wants a whole number, got '{value}'");
    }

    /// <summary>
    /// <c>NAME=VALUE,NAME=VALUE</c> after <paramref name="name"/> (e.g. <c>--client-env
    /// DOTNET_gcServer=1,DOTNET_GCgen0size=0x10000000</c>) as a dictionary; empty when absent.
    /// </summary>
    public static Dictionary<string, string> Pairs(string[] args, string name)
    {
        var pairs = new Dictionary<string, string>();
        foreach (var pair in (Arg(args, name) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new UsageException($"{name} wants NAME=VALUE pairs, got '{pair}'");
            pairs[pair[..eq]] = pair[(eq + 1)..];
        }
        return pairs;
    }
}
