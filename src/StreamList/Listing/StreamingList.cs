using System.Runtime.CompilerServices;
using StreamList.Codec;
using StreamList.Http;

namespace StreamList.Listing;

/// <summary>
/// One LIST request whose body streams into items: negotiates protobuf for built-in types, then
/// decodes by the response's Content-Type (protobuf or JSON), never by what was asked for.
/// </summary>
internal static class StreamingList
{
    public static ListFunc<T> For<T>(KubernetesTransport transport, ResourceDescriptor resource)
        where T : class =>
        (request, progress, cancellationToken) => ListAsync<T>(transport, resource, request, progress, cancellationToken);

    public static async IAsyncEnumerable<T> ListAsync<T>(KubernetesTransport transport, ResourceDescriptor resource, ListRequest request,
        ListProgress progress, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        var options = transport.Options;
        string accept = options.PreferProtobuf && ProtobufRegistry.ListOf(typeof(T)) is not null ? MediaTypes.ProtobufOrJson : MediaTypes.Json;
        await using var response = await transport.GetAsync(resource.Path, request.Query(), accept, cancellationToken).ConfigureAwait(false);
        var items = ListBody.ReadAsync<T>(response.Body, response.ContentType, progress, options.Decode.ForRequest(request.SkipManagedFields, request.ShareParts), request.TakeItem, cancellationToken);
        await foreach (var item in items.ConfigureAwait(false))
            yield return item;
    }
}
