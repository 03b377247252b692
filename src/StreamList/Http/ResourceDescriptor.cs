using System.Reflection;
using k8s.Models;

namespace StreamList.Http;

/// <summary>
/// Which collection to list or watch: API group, version, plural resource name and an optional
/// namespace. Built-in types come from KubernetesClient's <see cref="KubernetesEntityAttribute"/>
/// (<see cref="For{T}"/>); custom resources are described explicitly.
/// </summary>
/// <param name="Group">API group; empty for the core group.</param>
/// <param name="Version">API version, e.g. v1.</param>
/// <param name="Plural">Plural resource name, e.g. pods.</param>
/// <param name="Namespace">Namespace to list in, or null for all namespaces.</param>
public sealed record ResourceDescriptor(string Group, string Version, string Plural, string? Namespace = null)
{
    /// <summary>The collection of <typeparamref name="T"/> (a KubernetesClient model), in a namespace or all of them.</summary>
    /// <exception cref="ArgumentException">The type carries no <see cref="KubernetesEntityAttribute"/>.</exception>
    public static ResourceDescriptor For<T>(string? @namespace = null) => For(typeof(T), @namespace);

    /// <summary>The collection of <paramref name="type"/>, in a namespace or all of them.</summary>
    public static ResourceDescriptor For(Type type, string? @namespace = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        var e = type.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{type.Name} has no KubernetesEntity attribute; describe the resource explicitly", nameof(type));
        return new ResourceDescriptor(e.Group ?? "", e.ApiVersion, e.PluralName, @namespace);
    }

    /// <summary>The collection path relative to the API server root, e.g. <c>/api/v1/namespaces/default/pods</c>.</summary>
    public string Path
    {
        get
        {
            string root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
            return Namespace is null ? $"{root}/{Plural}" : $"{root}/namespaces/{Uri.EscapeDataString(Namespace)}/{Plural}";
        }
    }
}
