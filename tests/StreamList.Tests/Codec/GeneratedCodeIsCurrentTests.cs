using StreamList.CodeGen;

namespace StreamList.Tests.Codec;

/// <summary>
/// The checked-in codec under src/StreamList/Codec/Generated is exactly what the generator makes
/// from protos/ and KubernetesClient's models today (as `dotnet run --project src/StreamList.CodeGen
/// -- --check` would say), and known-gaps.txt gives a reason for every difference it accepts.
/// </summary>
public class GeneratedCodeIsCurrentTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamList.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("StreamList.sln not found above " + AppContext.BaseDirectory);
    }

    private static string GeneratedDir => Path.Combine(RepoRoot(), "src", "StreamList", "Codec", "Generated");

    [Fact]
    public void Generated_files_match_the_generator_output()
    {
        var expected = Generator.Run();
        Assert.NotEmpty(expected);
        foreach (var (name, text) in expected)
        {
            var path = Path.Combine(GeneratedDir, name);
            Assert.True(File.Exists(path), $"{name} is missing: run `dotnet run --project src/StreamList.CodeGen`");
            var actual = File.ReadAllText(path);
            if (actual != text)
            {
                int line = 1 + actual.AsSpan(0, actual.AsSpan().CommonPrefixLength(text)).Count('\n');
                Assert.Fail($"{name} is stale from line {line}: run `dotnet run --project src/StreamList.CodeGen`");
            }
        }
    }

    [Fact]
    public void No_extra_generated_files()
    {
        var expected = Generator.Run().Keys.ToHashSet(StringComparer.Ordinal);
        var extra = Directory.GetFiles(GeneratedDir, "*.g.cs").Select(Path.GetFileName).Where(n => !expected.Contains(n!)).ToList();
        Assert.True(extra.Count == 0, "not produced by the generator (delete them): " + string.Join(", ", extra));
    }

    [Fact]
    public void Every_known_gap_has_a_reason()
    {
        var path = Path.Combine(RepoRoot(), "src", "StreamList.CodeGen", "known-gaps.txt");
        var entries = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.NotEmpty(entries);
        KnownGaps.Parse(File.ReadAllText(path)); // the generator's own check: throws on a line without a reason
        Assert.All(entries, e => Assert.Matches(@"^(package|message|field|property) \S+ *\| *\S", e));
    }
}
