using System.IO.Pipelines;

namespace StreamList.Tests.Support;

/// <summary>
/// Feeds bytes to a <see cref="PipeReader"/> in chosen pieces, so a decoder can be tried with
/// every split point (one write per piece, each flushed separately), then completes the writer,
/// optionally with an exception (a reset connection).
/// </summary>
public static class SplitPipe
{
    /// <summary>A reader that yields <paramref name="data"/> cut at <paramref name="cuts"/> (ascending offsets).</summary>
    public static PipeReader From(ReadOnlyMemory<byte> data, params int[] cuts) => From(data, cuts, error: null);

    public static PipeReader From(ReadOnlyMemory<byte> data, IReadOnlyList<int> cuts, Exception? error)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        _ = Task.Run(async () =>
        {
            int start = 0;
            foreach (int cut in cuts.Append(data.Length))
            {
                if (cut <= start)
                    continue;
                await pipe.Writer.WriteAsync(data[start..cut]);
                start = cut;
            }
            await pipe.Writer.CompleteAsync(error);
        });
        return pipe.Reader;
    }

    /// <summary>A reader that yields <paramref name="data"/> one byte per read.</summary>
    public static PipeReader OneByteAtATime(ReadOnlyMemory<byte> data) =>
        From(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());
}
