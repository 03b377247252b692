using System.CommandLine;
using System.CommandLine.Help;
using StreamList.Cli;

namespace StreamList.Benchmarks;

/// <summary>
/// The modes of this program that are not BenchmarkDotNet's (<c>interning</c>, <c>ratios</c>), declared with
/// System.CommandLine and streamlist's option helpers (<see cref="CliOptions"/>): typed options with their
/// defaults in <c>--help</c>, a bad value one line on stderr and exit 2. Everything else goes to BenchmarkDotNet's switcher.
/// </summary>
internal static class OwnModes
{
    private static readonly Option<int> s_pods = CliOptions.Int("--pods", "N", "pods decoded", min: 1, defaultValue: 50_000);
    private static readonly Option<int> s_repeat = CliOptions.Int("--repeat", "R", "child processes per mode", min: 1, defaultValue: 3);
    private static readonly Option<int> s_seed = CliOptions.Int("--seed", "S", "the fixture's seed", min: 1, defaultValue: PodSamples.Seed);
    private static readonly Option<string?> s_mode = new("--mode") { HelpName = string.Join('|', InterningMode.Modes), Description = "measure one mode in this process (what the parent starts)" };
    private static readonly Option<bool> s_dropManagedFields = CliOptions.Flag("--drop-managed-fields", "drop metadata.managedFields from each pod");
    private static readonly Option<int> s_rounds = CliOptions.Int("--rounds", "N", "interleaved rounds per group", min: 1, defaultValue: 200);

    public static readonly RootCommand Root = Build();

    private static RootCommand Build()
    {
        s_mode.AcceptOnlyFromAmong([.. InterningMode.Modes]);
        var interning = new Command("interning", "string interning: allocations and retained heap, none against pooled") { s_pods, s_repeat, s_seed, s_mode, s_dropManagedFields };
        interning.SetAction(p => InterningMode.Run(p.GetValue(s_pods), p.GetValue(s_repeat), p.GetValue(s_seed), p.GetValue(s_mode), p.GetValue(s_dropManagedFields)));
        var ratios = new Command("ratios", "the same comparisons as interleaved stopwatch rounds") { s_rounds };
        ratios.SetAction(p => RatioMode.Run(p.GetValue(s_rounds)));
        return new RootCommand("StreamList.Benchmarks") { interning, ratios };
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Root.Parse(args);
        if (parsed.Action is HelpAction || parsed.Errors.Count == 0)
            return await parsed.InvokeAsync();
        string problem = string.Join(' ', parsed.Errors[0].Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        await Console.Error.WriteLineAsync($"StreamList.Benchmarks {Synopsis.Of(parsed.CommandResult.Command)}: {problem}");
        return 2;
    }
}
