using System.Reflection;
using k8s.Models;
using StreamList.Codec;

namespace StreamList.Cli.Commands;

/// <summary>
/// Maps a <c>--resource</c> name (plural, optionally with its group: <c>pods</c>,
/// <c>deployments.apps</c>) to the KubernetesClient model StreamList decodes it into.
/// </summary>
internal static class ResourceTypes
{
    private static readonly Type[] s_entities = typeof(V1Pod).Assembly.GetTypes()
        .Where(t => t.Namespace == "k8s.Models" && t.GetCustomAttribute<KubernetesEntityAttribute>() is { PluralName: not null } e
            && !e.Kind.EndsWith("List", StringComparison.Ordinal) && KubernetesProtobuf.IsKnownKind(ApiVersion(e), e.Kind))
        .ToArray();

    public static Type Find(string resource)
    {
        string plural = resource, group = "";
        int dot = resource.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            plural = resource[..dot];
            group = resource[(dot + 1)..];
        }
        var matches = s_entities
            .Where(t => t.GetCustomAttribute<KubernetesEntityAttribute>() is { } e && e.PluralName == plural && (dot < 0 || (e.Group ?? "") == group))
            .OrderBy(t => t.GetCustomAttribute<KubernetesEntityAttribute>()!.Group?.Length ?? 0)
            .ToList();
        return matches.FirstOrDefault()
            ?? throw new UsageException($"unknown --resource '{resource}' (built-in plural names such as pods, nodes, configmaps, deployments.apps)");
    }

    private static string ApiVersion(KubernetesEntityAttribute e) => string.IsNullOrEmpty(e.Group) ? e.ApiVersion : e.Group + "/" + e.ApiVersion;
}
