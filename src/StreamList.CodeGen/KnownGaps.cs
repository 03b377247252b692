namespace StreamList.CodeGen;

/// <summary>
/// The checked-in list of differences between protos/ and KubernetesClient's models that the
/// generator accepts. Each line: <c>kind target | reason</c>, where kind is <c>package</c> (a proto
/// package not bound at all), <c>message</c> (a proto message not bound to a model class), <c>field</c> (a proto field with no model property:
/// skipped on decode) or <c>property</c> (a model property with no proto field). A reason is
/// required, and an entry that no longer matches anything is an error, so the file stays true.
/// </summary>
public sealed class KnownGaps
{
    private readonly Dictionary<string, string> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public static KnownGaps Parse(string text)
    {
        var gaps = new KnownGaps();
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int bar = line.IndexOf('|', StringComparison.Ordinal);
            if (bar < 0 || line[(bar + 1)..].Trim().Length == 0)
                throw new FormatException($"known-gaps.txt:{lineNo}: needs 'kind target | reason'");
            var key = string.Join(' ', line[..bar].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (!new[] { "package ", "message ", "field ", "property " }.Any(k => key.StartsWith(k, StringComparison.Ordinal)))
                throw new FormatException($"known-gaps.txt:{lineNo}: kind must be package, message, field or property");
            if (!gaps._entries.TryAdd(key, line[(bar + 1)..].Trim()))
                throw new FormatException($"known-gaps.txt:{lineNo}: duplicate '{key}'");
        }
        return gaps;
    }

    /// <summary>True when the gap is listed; marks it used.</summary>
    public bool Allows(string kind, string target)
    {
        var key = kind + " " + target;
        if (!_entries.ContainsKey(key))
            return false;
        _used.Add(key);
        return true;
    }

    public string? Reason(string kind, string target) => _entries.GetValueOrDefault(kind + " " + target);

    /// <summary>Entries that matched nothing in this run.</summary>
    public IEnumerable<string> Unused() => _entries.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal);
}
