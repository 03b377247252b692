using System.IO.Pipelines;
using StreamList.Http;
using StreamList.Json;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Listing;

/// <summary>
/// Streams the items of a Kubernetes list body that the caller already has as a
/// <see cref="PipeReader"/> (a response it sent itself, a file, a test pipe), decoding by its
/// Content-Type: protobuf (<c>application/vnd.kubernetes.protobuf</c>) or JSON
/// (<c>application/json</c>). The same readers the lister uses: at most one item plus a read
/// window is buffered, and <see cref="ListProgress.Complete"/> tells a whole list from a cut one.
/// The caller owns and completes the reader.
/// </summary>
public static class ListBody
{
    /// <summary>Yields the list's items one at a time, each an object that owns its data.</summary>
    /// <typeparam name="T">The item type: a built-in model such as <c>V1Pod</c> (protobuf or JSON), or any JSON-deserializable type.</typeparam>
    /// <param name="body">The list body.</param>
    /// <param name="contentType">The body's media type; parameters after it are ignored.</param>
    /// <param name="progress">Receives item and byte counts as they stream, and the list metadata at the end; null when not needed.</param>
    /// <param name="options">Decoding options; <see cref="DecodeOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="KubernetesWireException">The body is malformed or cut short, or the media type is neither protobuf nor JSON.</exception>
    /// <exception cref="KubernetesStatusException">The body is a Kubernetes Status instead of a list.</exception>
    public static IAsyncEnumerable<T> ReadAsync<T>(PipeReader body, string contentType, ListProgress? progress = null,
        DecodeOptions? options = null, CancellationToken cancellationToken = default)
        where T : class =>
        ReadAsync<T>(body, contentType, progress ?? new ListProgress(), options ?? DecodeOptions.Default, takeItem: null, cancellationToken);

    /// <summary>
    /// As the overload above, offering each protobuf item to <paramref name="takeItem"/> first: what a
    /// list function of one's own passes from <see cref="ListRequest.TakeItem"/>, so that an informer
    /// skips what it holds and a compact store keeps bytes instead of objects. JSON items are always decoded.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="body">The list body.</param>
    /// <param name="contentType">The body's media type; parameters after it are ignored.</param>
    /// <param name="progress">Receives item and byte counts, and the list metadata at the end.</param>
    /// <param name="options">Decoding options.</param>
    /// <param name="takeItem">Offered each protobuf item before it is decoded; what it takes is not yielded. Null: nothing is offered.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="KubernetesWireException">The body is malformed or cut short, or the media type is neither protobuf nor JSON.</exception>
    /// <exception cref="KubernetesStatusException">The body is a Kubernetes Status instead of a list.</exception>
    public static IAsyncEnumerable<T> ReadAsync<T>(PipeReader body, string? contentType, ListProgress progress, DecodeOptions options,
        ItemTaker? takeItem, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(body);
        return MediaTypes.IsProtobuf(contentType) ? ProtobufListReader.ReadAsync<T>(body, progress, options, cancellationToken, takeItem)
            : MediaTypes.IsJson(contentType) ? JsonListReader.ReadAsync<T>(body, progress, options, cancellationToken)
            : throw new KubernetesWireException(WireErrorKind.UnsupportedMediaType, 0, "", $"the body's Content-Type is '{contentType}', neither protobuf nor JSON");
    }
}
