using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace StreamList.Wire;

/// <summary>What one <see cref="IFrameParser{T}.Parse"/> call found.</summary>
internal enum FrameStep
{
    /// <summary>Nothing to hand out yet: a frame without an item (list metadata, a skipped item), or too few bytes.</summary>
    More,
    /// <summary><see cref="Frame{T}.Item"/> is ready to hand out.</summary>
    Item,
    /// <summary>The body ended well-formed.</summary>
    End,
}

/// <summary>The outcome of one parse: what was found, and how far the pipe may advance.</summary>
/// <param name="Step">What was found.</param>
/// <param name="Consumed">Bytes before this position are done with (<see cref="PipeReader.AdvanceTo(SequencePosition, SequencePosition)"/>'s consumed).</param>
/// <param name="Examined">Bytes before this position were looked at (its examined): the next read waits for more.</param>
/// <param name="Item">The item, when <paramref name="Step"/> is <see cref="FrameStep.Item"/>.</param>
internal readonly record struct Frame<T>(FrameStep Step, SequencePosition Consumed, SequencePosition Examined, T Item);

/// <summary>
/// One body format (protobuf or JSON; list or watch) as <see cref="FrameReadLoop"/> sees it: given the
/// unconsumed bytes, parse at most one frame and decode its item into objects that own their data (the
/// pipe is advanced past the bytes right after). A malformed body throws; a parser that needs more bytes
/// than the body holds once it is complete throws (Truncated) rather than returning <see cref="FrameStep.More"/>.
/// </summary>
internal interface IFrameParser<T>
{
    /// <summary>Parses at most one frame from the front of <paramref name="buffer"/>.</summary>
    Frame<T> Parse(in ReadOnlySequence<byte> buffer, bool isCompleted);
}

/// <summary>
/// The one loop that moves a body from a <see cref="PipeReader"/> through a parser: every read is
/// followed by <c>AdvanceTo(consumed, examined)</c> in a <c>finally</c>, a cancelled token or a
/// cancelled pending read (<see cref="PipeReader.CancelPendingRead"/>) throws
/// <see cref="OperationCanceledException"/> (between frames already buffered too), and each item is
/// handed out before the next frame is parsed, so at most one item plus a read window is held. A
/// writer completed with an exception rethrows it from the read. The caller owns and completes the reader.
/// </summary>
internal static class FrameReadLoop
{
    /// <summary>Yields the body's items; <paramref name="what"/> names the body in a cancellation message.</summary>
    public static async IAsyncEnumerable<T> ReadAsync<T>(PipeReader reader, IFrameParser<T> parser, string what,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            Frame<T> frame;
            try
            {
                if (result.IsCanceled)
                    throw new OperationCanceledException($"The pending read of the {what} was canceled.");
                frame = parser.Parse(buffer, result.IsCompleted);
                consumed = frame.Consumed;
                examined = frame.Examined;
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
            if (frame.Step == FrameStep.Item)
                yield return frame.Item;
            else if (frame.Step == FrameStep.End)
                yield break;
        }
    }
}
