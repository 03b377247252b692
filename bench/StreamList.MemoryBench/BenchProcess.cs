using System.Diagnostics;

namespace StreamList.MemoryBench;

/// <summary>Starting the benchmark's child processes (server, clients) and reading their arguments.</summary>
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
}
