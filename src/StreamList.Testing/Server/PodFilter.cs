using k8s.Models;
using Microsoft.AspNetCore.Http;
using StreamList.Sharding;

namespace StreamList.Testing.Server;

/// <summary>
/// Which objects a list or watch selects: the namespace (from the path or
/// <c>fieldSelector=metadata.namespace=x</c>), the name (<c>metadata.name=x</c>) and label
/// requirements <c>k=v</c>, <c>k==v</c>, <c>k!=v</c> (comma-separated, all must hold), and the
/// KEP-5866 <c>shardSelector</c> (unless the server ignores it, as one without the feature does).
/// Parsing reports unsupported selectors instead of guessing.
/// </summary>
internal sealed class PodFilter
{
    private readonly List<(string Key, string Value, bool Equal)> _labels = [];

    private PodFilter(string? ns) => Namespace = ns;

    /// <summary>The namespace every selected pod is in, or null for all.</summary>
    public string? Namespace { get; private set; }

    /// <summary>The only name selected (<c>metadata.name=x</c>), or null for any.</summary>
    public string? Name { get; private set; }

    /// <summary>The shard selector applied, or null (none sent, or the server ignores it).</summary>
    public ShardSelector? Shard { get; private set; }

    /// <summary>What a list echoes in <c>metadata.shardInfo</c>: the applied selector as the client sent it, or null.</summary>
    public V1ShardInfo? ShardInfo { get; private set; }

    /// <summary>True when selecting needs labels or a name (the whole object).</summary>
    public bool HasLabelOrNameSelector => _labels.Count > 0 || Name is not null;

    /// <summary>True when selecting needs more than the namespace: labels, a name or a shard.</summary>
    public bool HasObjectSelector => HasLabelOrNameSelector || Shard is not null;

    /// <summary>True when the list is the whole population (no namespace, no selector).</summary>
    public bool SelectsAll => Namespace is null && !HasObjectSelector;

    /// <summary>Parses the selectors of a list or watch; <paramref name="shards"/> false ignores <c>shardSelector</c>.</summary>
    public static bool TryParse(IQueryCollection query, string? pathNamespace, bool shards, out PodFilter filter, out string error)
    {
        if (!TryParse(pathNamespace, query["labelSelector"].ToString(), query["fieldSelector"].ToString(), out filter, out error))
            return false;
        string shardText = query["shardSelector"].ToString();
        if (!shards || shardText.Length == 0)
            return true;
        if (!ShardSelector.TryParse(shardText, out var shard, out string reason))
        {
            error = $"shardSelector: Invalid value: \"{shardText}\": {reason}";
            return false;
        }
        filter.Shard = shard;
        filter.ShardInfo = new V1ShardInfo { Selector = shardText };
        return true;
    }

    private static bool TryParse(string? pathNamespace, string? labelSelector, string? fieldSelector, out PodFilter filter, out string error)
    {
        filter = new PodFilter(pathNamespace);
        error = "";
        foreach (var (key, value, equal) in Requirements(fieldSelector))
        {
            if (key is "metadata.name" && equal)
            {
                filter.Name = filter.Name is null || filter.Name == value ? value : "\0";
                continue;
            }
            if (key is not "metadata.namespace" || !equal)
            {
                error = $"field selector \"{fieldSelector}\": only metadata.namespace=<ns> and metadata.name=<name> are supported";
                return false;
            }
            if (filter.Namespace is not null && filter.Namespace != value)
                filter.Namespace = "\0"; // two different namespaces: nothing matches
            else
                filter.Namespace = value;
        }
        foreach (var requirement in Requirements(labelSelector))
        {
            if (requirement.Key.Length == 0)
            {
                error = $"label selector \"{labelSelector}\": only k=v, k==v and k!=v are supported";
                return false;
            }
            filter._labels.Add(requirement);
        }
        return true;
    }

    public bool MatchesNamespace(string? ns) => Namespace is null || Namespace == ns;

    /// <summary>True when the object's name and labels are selected (the namespace is <see cref="MatchesNamespace"/>'s).</summary>
    public bool MatchesObject(V1ObjectMeta? metadata) =>
        (Name is null || Name == metadata?.Name) && MatchesLabels(metadata?.Labels) && Shard?.Matches(metadata) != false;

    /// <summary>True when an object with this uid and namespace is in the shard (or no shard is selected).</summary>
    public bool MatchesShard(string? uid, string? @namespace) => Shard?.Matches(uid, @namespace) != false;

    private bool MatchesLabels(IDictionary<string, string>? labels)
    {
        foreach (var (key, value, equal) in _labels)
        {
            bool has = labels is not null && labels.TryGetValue(key, out var actual) && actual == value;
            if (has != equal)
                return false;
        }
        return true;
    }

    private static IEnumerable<(string Key, string Value, bool Equal)> Requirements(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
            yield break;
        foreach (var part in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int ne = part.IndexOf("!=", StringComparison.Ordinal);
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (ne > 0)
                yield return (part[..ne].Trim(), part[(ne + 2)..].Trim(), false);
            else if (eq > 0)
                yield return (part[..eq].Trim(), part[(eq + (part.AsSpan(eq).StartsWith("==") ? 2 : 1))..].Trim(), true);
            else
                yield return ("", part, true);
        }
    }
}
