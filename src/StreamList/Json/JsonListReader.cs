using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using StreamList.Listing;

namespace StreamList.Json;

/// <summary>
/// Streams the items of a Kubernetes JSON list body from a <see cref="PipeReader"/>: each item is
/// yielded as soon as its bytes are complete, decoded with KubernetesClient's own JSON settings.
///
/// Contract: the read loop only moves bytes between the pipe and <see cref="JsonListFramer"/>
/// (which holds at most one item plus the unread tail of the last read) and
/// <see cref="JsonValueDecoder"/>; every read is followed by <c>AdvanceTo(consumed, examined)</c> in
/// a <c>finally</c>, and an item is decoded (into objects that own their data) before the pipe
/// is advanced past it. The <see cref="ListProgress"/> counts items and consumed bytes; the list's
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
        var framer = new JsonListFramer(options);
        return ReadCoreAsync<T>(reader, framer, progress, options.Strings, cancellationToken);
    }

    private static async IAsyncEnumerable<T> ReadCoreAsync<T>(PipeReader reader, JsonListFramer framer, ListProgress progress,
        Memory.Utf8StringPool? strings, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        bool metadataSet = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested(); // also between items already buffered
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            long before = framer.BytesConsumed;
            JsonFrameKind kind;
            T? item = null;
            try
            {
                if (result.IsCanceled)
                    throw new OperationCanceledException("The pending read of the list body was canceled.");
                var frame = framer.Read(buffer, result.IsCompleted);
                if (frame.Kind == JsonFrameKind.Value)
                    item = JsonValueDecoder.Decode<T>(frame.Value, frame.Offset, "items", frame.Index, framer.MaxDepth, strings);
                kind = frame.Kind;
                consumed = frame.Consumed;
                examined = frame.Examined;
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }

            progress.ReportBytes(framer.BytesConsumed - before);
            if (framer.RootClosed && !metadataSet)
            {
                progress.ReportMetadata(framer.Metadata);
                metadataSet = true;
            }
            if (item is not null)
            {
                progress.ReportItem();
                yield return item;
            }
            else if (kind == JsonFrameKind.End)
            {
                progress.ReportComplete();
                yield break;
            }
        }
    }
}
