using System.Buffers;

namespace StreamList.Tests.Support;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, so decoders can be tried with data split anywhere.</summary>
public static class Sequences
{
    /// <summary><paramref name="data"/> cut at <paramref name="cuts"/> (ascending offsets; 0 and the length give empty segments).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, params int[] cuts)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        int start = 0;
        foreach (int cut in cuts)
        {
            pieces.Add(data[start..cut]);
            start = cut;
        }
        pieces.Add(data[start..]);
        return FromPieces(Copies(pieces));
    }

    /// <summary><paramref name="data"/> in segments of <paramref name="size"/> bytes (the last may be shorter).</summary>
    public static ReadOnlySequence<byte> Chunks(ReadOnlyMemory<byte> data, int size)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        for (int i = 0; i < data.Length; i += size)
            pieces.Add(data[i..Math.Min(data.Length, i + size)]);
        return pieces.Count == 0 ? ReadOnlySequence<byte>.Empty : FromPieces(Copies(pieces));
    }

    /// <summary>One segment per piece, over the pieces' own memory (not copied).</summary>
    public static ReadOnlySequence<byte> FromPieces(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pieces.Count);
        var first = new Segment(pieces[0], 0);
        var last = first;
        for (int i = 1; i < pieces.Count; i++)
            last = last.Append(pieces[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    // Each piece in its own array, so no segment can see its neighbours' bytes.
    private static List<ReadOnlyMemory<byte>> Copies(List<ReadOnlyMemory<byte>> pieces) => [.. pieces.Select(p => (ReadOnlyMemory<byte>)p.ToArray())];

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
