using System.Diagnostics;
using System.Globalization;

namespace StreamList.MemoryBench;

/// <summary>
/// Starting the benchmark's child processes (server, clients), and the <c>--client-env</c> pairs they get.
/// A pair that does not parse is a <see cref="UsageException"/> naming the flag and the pair.
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

    /// <summary>
    /// Lists every pod once and throws the body away: the fake server measures each fixture pod's size on
    /// its first protobuf list, so the first client measured would otherwise pay for it.
    /// </summary>
    public static async Task WarmServerAsync(string url)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(url), "/api/v1/pods"));
        request.Headers.Accept.ParseAdd("application/vnd.kubernetes.protobuf");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
    }

    /// <summary>
    /// <c>NAME=VALUE,NAME=VALUE</c> (the value of <paramref name="name"/>, e.g. <c>--client-env
    /// DOTNET_gcServer=1,DOTNET_GCgen0size=0x10000000</c>) as a dictionary.
    /// </summary>
    public static Dictionary<string, string> Pairs(string text, string name)
    {
        var pairs = new Dictionary<string, string>();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new UsageException($"{name} wants NAME=VALUE pairs, got '{pair}'");
            pairs[pair[..eq]] = pair[(eq + 1)..];
        }
        return pairs;
    }
}
