using System.Runtime.CompilerServices;
using StreamList.Codec;
using StreamList.Http;
using StreamList.Listing;

namespace StreamList.Watching;

/// <summary>
/// One WATCH request whose body streams into events: protobuf frames for built-in types, JSON lines
/// otherwise, chosen by the response's Content-Type.
/// </summary>
internal static class StreamingWatch
{
    public static WatchFunc<T> For<T>(KubernetesTransport transport, ResourceDescriptor resource)
        where T : class =>
        (request, cancellationToken) => WatchAsync<T>(transport, resource, request, cancellationToken);

    public static async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(KubernetesTransport transport, ResourceDescriptor resource, WatchRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        var options = transport.Options;
        string accept = options.PreferProtobuf && ProtobufRegistry.ForType(typeof(T)) is not null ? MediaTypes.ProtobufOrJson : MediaTypes.Json;
        // Between events a watch may be quiet until its server-side timeout: idle longer than that is a stall.
        var idle = request.TimeoutSeconds is { } t ? TimeSpan.FromSeconds(t) + options.IdleReadTimeout : Timeout.InfiniteTimeSpan;
        await using var response = await transport.GetAsync(resource.Path, request.Query(), accept, cancellationToken, idle).ConfigureAwait(false);
        await foreach (var e in WatchBody.ReadAsync<T>(response.Body, response.ContentType, options.Decode.ForRequest(request.SkipManagedFields, request.ShareParts), request.TakeItem, cancellationToken).ConfigureAwait(false))
            yield return e;
    }
}
