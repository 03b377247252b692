using System.Buffers;
using k8s.Models;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Testing.Server;

/// <summary>
/// The second pass of a protobuf list: magic, envelope and ListMeta (with the item bytes the
/// first pass measured), then each item encoded and written at once, then the envelope's empty
/// contentEncoding/contentType. Holds one encoded pod at a time, never the list.
/// </summary>
internal static class ProtobufListWriter
{
    /// <summary>Writes the page; with <paramref name="truncateAfter"/> set, stops inside that item (0-based) and returns false.</summary>
    public static async Task<bool> WriteAsync(ChunkedBody body, PodPopulationSnapshot snapshot, PodFilter filter, ListPage page,
        V1ListMeta metadata, int? truncateAfter, CancellationToken cancellationToken)
    {
        ListEncoding.WritePrefix(body, "v1", "PodList", metadata, page.ItemBytes);
        var w = new ArrayBufferWriter<byte>(8192);
        var scratch = new ArrayBufferWriter<byte>(); // only used if a length was not cached (it was, by the first pass)
        int written = 0;
        for (int i = page.Start; i < page.End; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!ListPlanner.Selects(snapshot, filter, i, out var pod))
                continue;
            pod ??= snapshot.Get(i)!;
            PodPopulationSnapshot.Encode(w, pod);
            if (w.WrittenCount != snapshot.MessageLength(i, scratch))
                throw new InvalidOperationException($"pod in slot {i} changed after it was stored: stored pods must not be mutated");
            if (written == truncateAfter)
            {
                var item = new ArrayBufferWriter<byte>(w.WrittenCount + 8);
                ListEncoding.WriteItem(item, w.WrittenSpan);
                body.Write(item.WrittenSpan[..(item.WrittenCount / 2)]);
                await body.FlushAsync().ConfigureAwait(false);
                return false;
            }
            ListEncoding.WriteItem(body, w.WrittenSpan);
            written++;
            await body.ItemDoneAsync().ConfigureAwait(false);
        }
        if (truncateAfter is { } k && k >= written)
        {
            await body.FlushAsync().ConfigureAwait(false);
            return false;
        }
        body.Write(ListEncoding.Suffix);
        await body.CompleteAsync().ConfigureAwait(false);
        return true;
    }
}
