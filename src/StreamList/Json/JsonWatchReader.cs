using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using StreamList.Watching;

namespace StreamList.Json;

/// <summary>
/// Streams the events of a JSON watch response (one <c>{"type":..,"object":{..}}</c> per line)
/// from a <see cref="PipeReader"/>, each as soon as its bytes are complete.
///
/// Contract: the read loop only moves bytes between the pipe, <see cref="JsonWatchFramer"/> (at
/// most one event plus the unread tail of the last read is held) and
/// <see cref="JsonWatchEventDecoder"/>; every read is followed by <c>AdvanceTo(consumed, examined)</c>
/// in a <c>finally</c>, and an event is decoded into objects that own their data before the pipe
/// is advanced past it. An ERROR event throws its Status as a
/// <see cref="Http.KubernetesStatusException"/> (410: <see cref="Http.ResourceExpiredException"/>)
/// after the events before it were yielded. A stream that ends between events completes; one that
/// ends inside an event throws <see cref="Wire.KubernetesWireException"/> (Truncated); a writer
/// completed with an exception rethrows it. The caller owns and completes the reader.
/// </summary>
internal static class JsonWatchReader
{
    /// <summary>Yields the stream's events one by one.</summary>
    internal static IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(PipeReader reader, DecodeOptions options, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        var framer = new JsonWatchFramer(options);
        return ReadCoreAsync<T>(reader, framer, options.Strings, cancellationToken);
    }

    private static async IAsyncEnumerable<WatchEvent<T>> ReadCoreAsync<T>(PipeReader reader, JsonWatchFramer framer,
        Memory.Utf8StringPool? strings, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested(); // also between items already buffered
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            JsonFrameKind kind;
            WatchEvent<T> watchEvent = default;
            try
            {
                if (result.IsCanceled)
                    throw new OperationCanceledException("The pending read of the watch stream was canceled.");
                var frame = framer.Read(buffer, result.IsCompleted);
                if (frame.Kind == JsonFrameKind.Value)
                    watchEvent = JsonWatchEventDecoder.Decode<T>(frame.Value, frame.Offset, framer.MaxDepth, strings);
                kind = frame.Kind;
                consumed = frame.Consumed;
                examined = frame.Examined;
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }

            if (kind == JsonFrameKind.Value)
                yield return watchEvent;
            else if (kind == JsonFrameKind.End)
                yield break;
        }
    }
}
