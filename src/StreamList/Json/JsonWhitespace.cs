using System.Buffers;

namespace StreamList.Json;

/// <summary>JSON's insignificant whitespace (space, tab, CR, LF): what may stand between values and after a body.</summary>
internal static class JsonWhitespace
{
    /// <summary>How many bytes at the start of <paramref name="data"/> are whitespace (all of them when it is whitespace only).</summary>
    public static long CountLeading(in ReadOnlySequence<byte> data)
    {
        long count = 0;
        foreach (var memory in data)
        {
            var span = memory.Span;
            int i = span.IndexOfAnyExcept(" \t\r\n"u8);
            if (i >= 0)
                return count + i;
            count += span.Length;
        }
        return count;
    }
}
