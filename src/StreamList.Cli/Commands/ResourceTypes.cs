using System.Reflection;
using k8s;
using k8s.Models;
using StreamList.Codec;

namespace StreamList.Cli.Commands;

/// <summary>Work to do on one resource's model type, chosen at run time by <c>--resource</c>.</summary>
internal interface IResourceAction<TResult>
{
    Task<TResult> RunAsync<T>()
        where T : class, IKubernetesObject<V1ObjectMeta>;
}

/// <summary>A model type picked by name; <see cref="RunAsync{TResult}"/> calls the action with it as a type argument.</summary>
internal abstract class ResourceType
{
    public abstract Type Model { get; }

    public abstract Task<TResult> RunAsync<TResult>(IResourceAction<TResult> action);
}

internal sealed class ResourceType<T> : ResourceType
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public override Type Model => typeof(T);

    public override Task<TResult> RunAsync<TResult>(IResourceAction<TResult> action) => action.RunAsync<T>();
}

/// <summary>
/// Maps a <c>--resource</c> name (plural, optionally with its group: <c>pods</c>,
/// <c>deployments.apps</c>) to the KubernetesClient model StreamList decodes it into.
/// </summary>
internal static class ResourceTypes
{
    private static readonly Type[] s_entities = typeof(V1Pod).Assembly.GetTypes()
        .Where(t => t.Namespace == "k8s.Models" && t.GetCustomAttribute<KubernetesEntityAttribute>() is { PluralName: not null } e
            && !e.Kind.EndsWith("List", StringComparison.Ordinal) && KubernetesProtobuf.IsKnownKind(ApiVersion(e), e.Kind)
            && typeof(IKubernetesObject<V1ObjectMeta>).IsAssignableFrom(t) && t.IsClass)
        .ToArray();

    public static ResourceType Find(string resource)
    {
        string plural = resource, group = "";
        int dot = resource.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            plural = resource[..dot];
            group = resource[(dot + 1)..];
        }
        var match = s_entities
            .Where(t => t.GetCustomAttribute<KubernetesEntityAttribute>() is { } e && e.PluralName == plural && (dot < 0 || (e.Group ?? "") == group))
            .OrderBy(t => t.GetCustomAttribute<KubernetesEntityAttribute>()!.Group?.Length ?? 0)
            .FirstOrDefault()
            ?? throw new UsageException($"unknown --resource '{resource}' (built-in plural names such as pods, nodes, configmaps, deployments.apps)");
        // The one place a runtime type becomes a type argument; everything after it is typed.
        return (ResourceType)Activator.CreateInstance(typeof(ResourceType<>).MakeGenericType(match))!;
    }

    private static string ApiVersion(KubernetesEntityAttribute e) => string.IsNullOrEmpty(e.Group) ? e.ApiVersion : e.Group + "/" + e.ApiVersion;
}
