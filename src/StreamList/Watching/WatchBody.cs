using System.IO.Pipelines;
using StreamList.Http;
using StreamList.Json;
using StreamList.Listing;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Watching;

/// <summary>
/// Reads a watch body the caller already holds (a recorded stream, a file, a response read by other
/// code) as <see cref="StreamingWatch"/> reads one from the network: protobuf frames or JSON lines,
/// by <c>contentType</c>. The caller owns and completes the reader.
/// </summary>
public static class WatchBody
{
    /// <summary>Yields the body's events one at a time, each object owning its data.</summary>
    /// <typeparam name="T">The object type: a built-in model such as <c>V1Pod</c> (protobuf or JSON), or any JSON-deserializable type.</typeparam>
    /// <param name="body">The watch body.</param>
    /// <param name="contentType">The body's media type (<c>application/vnd.kubernetes.protobuf;stream=watch</c> or <c>application/json</c>).</param>
    /// <param name="options">Decoding options; <see cref="DecodeOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="KubernetesWireException">The body is malformed or cut mid-event, or the media type is neither protobuf nor JSON.</exception>
    /// <exception cref="KubernetesStatusException">An ERROR event (e.g. <see cref="ResourceExpiredException"/> for 410).</exception>
    public static IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(PipeReader body, string contentType, DecodeOptions? options = null,
        CancellationToken cancellationToken = default)
        where T : class =>
        ReadAsync<T>(body, contentType, options ?? DecodeOptions.Default, takeItem: null, cancellationToken);

    /// <summary>
    /// As the overload above, offering the object of each protobuf ADDED and MODIFIED event to
    /// <paramref name="takeItem"/> first: what a watch function of one's own passes from
    /// <see cref="WatchRequest.TakeItem"/>. An event whose object it takes is not yielded. JSON events are always decoded.
    /// </summary>
    /// <typeparam name="T">The object type.</typeparam>
    /// <param name="body">The watch body.</param>
    /// <param name="contentType">The body's media type.</param>
    /// <param name="options">Decoding options.</param>
    /// <param name="takeItem">Offered each ADDED and MODIFIED object before it is decoded. Null: nothing is offered.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="KubernetesWireException">The body is malformed or cut mid-event, or the media type is neither protobuf nor JSON.</exception>
    /// <exception cref="KubernetesStatusException">An ERROR event.</exception>
    public static IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(PipeReader body, string? contentType, DecodeOptions options,
        ItemTaker? takeItem, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(body);
        return MediaTypes.IsProtobuf(contentType) ? ProtobufWatchReader.ReadAsync<T>(body, options, cancellationToken, takeItem)
            : MediaTypes.IsJson(contentType) ? JsonWatchReader.ReadAsync<T>(body, options, cancellationToken)
            : throw new KubernetesWireException(WireErrorKind.UnsupportedMediaType, 0, "", $"the body's Content-Type is '{contentType}', neither protobuf nor JSON");
    }
}
