using k8s;
using StreamList.Http;
using StreamList.Listing;
using StreamList.Watching;

namespace StreamList;

/// <summary>
/// The one-line swap for KubernetesClient users: streaming lists and watches, and the informer's
/// list/watch pair, over an existing <see cref="IKubernetes"/> client (same HttpClient,
/// credentials and base URL).
/// </summary>
public static class KubernetesStreamingExtensions
{
    /// <summary>
    /// Lists every <typeparamref name="T"/> (a built-in KubernetesClient model, e.g. <c>V1Pod</c>) in a
    /// namespace or all namespaces, yielding items as they arrive (paged when
    /// <see cref="StreamingOptions.PageSize"/> is set). <paramref name="progress"/> tells a complete
    /// list from a cut one and carries the list's resourceVersion.
    /// </summary>
    public static IAsyncEnumerable<T> ListStreamingAsync<T>(this IKubernetes client, string? @namespace = null, ListRequest? request = null,
        ListProgress? progress = null, StreamingOptions? options = null, CancellationToken cancellationToken = default)
        where T : class =>
        client.ListStreamingAsync<T>(ResourceDescriptor.For<T>(@namespace), request, progress, options, cancellationToken);

    /// <summary>Lists any collection (custom resources too, as JSON), yielding items as they arrive.</summary>
    public static IAsyncEnumerable<T> ListStreamingAsync<T>(this IKubernetes client, ResourceDescriptor resource, ListRequest? request = null,
        ListProgress? progress = null, StreamingOptions? options = null, CancellationToken cancellationToken = default)
        where T : class
    {
        options ??= StreamingOptions.Default;
        var list = StreamingList.For<T>(KubernetesTransport.From(client, options), resource);
        return Pager.ListAllAsync(list, request ?? new ListRequest(), options.PageSize, progress ?? new ListProgress(), cancellationToken);
    }

    /// <summary>Opens one watch on a collection and streams its events until the server ends it.</summary>
    public static IAsyncEnumerable<WatchEvent<T>> WatchStreamingAsync<T>(this IKubernetes client, ResourceDescriptor resource, WatchRequest request,
        StreamingOptions? options = null, CancellationToken cancellationToken = default)
        where T : class
    {
        options ??= StreamingOptions.Default;
        return StreamingWatch.For<T>(KubernetesTransport.From(client, options), resource)(request, cancellationToken);
    }

    /// <summary>The streaming list and watch functions for <typeparamref name="T"/>, for an informer.</summary>
    public static ListWatch<T> CreateListWatch<T>(this IKubernetes client, string? @namespace = null, StreamingOptions? options = null)
        where T : class =>
        client.CreateListWatch<T>(ResourceDescriptor.For<T>(@namespace), options);

    /// <summary>The streaming list and watch functions for any collection, for an informer.</summary>
    public static ListWatch<T> CreateListWatch<T>(this IKubernetes client, ResourceDescriptor resource, StreamingOptions? options = null)
        where T : class
    {
        var transport = KubernetesTransport.From(client, options ?? StreamingOptions.Default);
        return new ListWatch<T>(StreamingList.For<T>(transport, resource), StreamingWatch.For<T>(transport, resource));
    }
}
