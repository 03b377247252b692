using System.IO.Pipelines;
using System.Buffers;
using StreamList.Codec;
using StreamList.Json;
using StreamList.Wire;

namespace StreamList.Listing;

/// <summary>
/// Streams the items of a Kubernetes JSON list body from a <see cref="PipeReader"/>: each item is
/// yielded as soon as its bytes are complete, decoded with KubernetesClient's own JSON settings.
///
/// Contract: <see cref="FrameReadLoop"/> reads the pipe (advancing it, cancellation); this parser moves
/// bytes between <see cref="JsonListFramer"/> (which holds at most one item plus the unread tail of the
/// last read) and <see cref="JsonValueDecoder"/>, and an item is decoded (into objects that own their
/// data) before the pipe is advanced past it. The <see cref="ListProgress"/> counts items and consumed bytes; the list's
/// metadata is set when the list object closes; <see cref="ListProgress.Complete"/> is set only
/// when the closing brace and nothing but whitespace reached the end of the body. A body that
/// ends early throws <see cref="Wire.KubernetesWireException"/> (Truncated); a writer completed
/// with an exception (a reset connection) rethrows that exception. The caller owns and completes
/// the reader.
/// </summary>
internal static class JsonListReader
{
    /// <summary>Yields the list's items one by one.</summary>
    internal static IAsyncEnumerable<T> ReadAsync<T>(PipeReader reader, ListProgress progress, DecodeOptions options, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(progress);
        return FrameReadLoop.ReadAsync(reader, new Parser<T>(progress, options), "list body", cancellationToken);
    }

    private sealed class Parser<T>(ListProgress progress, DecodeOptions options) : IFrameParser<T>
        where T : class
    {
        private readonly JsonListFramer _framer = new(options);
        private bool _metadataReported;

        public Frame<T> Parse(in ReadOnlySequence<byte> buffer, bool isCompleted)
        {
            long before = _framer.BytesConsumed;
            var frame = _framer.Read(buffer, isCompleted);
            T? item = frame.Kind == JsonFrameKind.Value
                ? JsonValueDecoder.Decode<T>(frame.Value, frame.Offset, "items", frame.Index, _framer.MaxDepth, options.Strings)
                : null;
            progress.ReportBytes(_framer.BytesConsumed - before);
            if (_framer.RootClosed && !_metadataReported)
            {
                progress.ReportMetadata(_framer.Metadata);
                _metadataReported = true;
            }
            var step = FrameStep.More;
            if (item is not null)
            {
                progress.ReportItem();
                step = FrameStep.Item;
            }
            else if (frame.Kind == JsonFrameKind.End)
            {
                progress.ReportComplete();
                step = FrameStep.End;
            }
            return new Frame<T>(step, frame.Consumed, frame.Examined, item!);
        }
    }
}
