namespace StreamList.MemoryBench;

/// <summary>
/// A mode as <c>run --modes</c> takes it: <c>MODE</c>, or <c>MODE@NAME=VALUE+NAME=VALUE</c> for that mode run
/// with extra environment variables (a GC setting, <see cref="GcChoice"/>), so variants of one mode are measured
/// against the same baseline in the same round.
/// </summary>
internal static class ModeSpec
{
    public static (string Mode, Dictionary<string, string> Env) Parse(string spec)
    {
        int at = spec.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (spec, []) : (spec[..at], BenchProcess.Pairs(spec[(at + 1)..].Replace('+', ','), "--modes"));
    }
}
