using System.IO.Pipelines;
using System.Buffers;
using StreamList.Codec;
using StreamList.Json;
using StreamList.Wire;

namespace StreamList.Watching;

/// <summary>
/// Streams the events of a JSON watch response (one <c>{"type":..,"object":{..}}</c> per line)
/// from a <see cref="PipeReader"/>, each as soon as its bytes are complete.
///
/// Contract: <see cref="FrameReadLoop"/> reads the pipe (advancing it, cancellation); this parser moves
/// bytes between <see cref="JsonWatchFramer"/> (at most one event plus the unread tail of the last read
/// is held) and <see cref="JsonWatchEventDecoder"/>, and an event is decoded into objects that own their
/// data before the pipe is advanced past it. An ERROR event throws its Status as a
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
        return FrameReadLoop.ReadAsync(reader, new Parser<T>(options), "watch stream", cancellationToken);
    }

    private sealed class Parser<T>(DecodeOptions options) : IFrameParser<WatchEvent<T>>
        where T : class
    {
        private readonly JsonWatchFramer _framer = new(options);

        public Frame<WatchEvent<T>> Parse(in ReadOnlySequence<byte> buffer, bool isCompleted)
        {
            var frame = _framer.Read(buffer, isCompleted);
            var step = frame.Kind switch
            {
                JsonFrameKind.Value => FrameStep.Item,
                JsonFrameKind.End => FrameStep.End,
                _ => FrameStep.More,
            };
            var watchEvent = step == FrameStep.Item
                ? JsonWatchEventDecoder.Decode<T>(frame.Value, frame.Offset, _framer.MaxDepth, options.Strings)
                : default;
            return new Frame<WatchEvent<T>>(step, frame.Consumed, frame.Examined, watchEvent);
        }
    }
}
