using System.Buffers;
using k8s.Models;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Testing.Server;

/// <summary>One page of a list over a snapshot: slots [Start, End) hold its items.</summary>
/// <param name="Start">First slot scanned.</param>
/// <param name="End">Slot after the last one scanned: the second pass stops here.</param>
/// <param name="Items">Items on the page.</param>
/// <param name="ItemBytes">Protobuf bytes of all item fields (0 when not measured).</param>
/// <param name="Next">First slot of the next page, or null when this page ends the list.</param>
internal readonly record struct ListPage(int Start, int End, int Items, long ItemBytes, int? Next);

/// <summary>
/// The first of a list's two passes: finds which slots a page covers and, for protobuf, how many
/// bytes its items take (the envelope's <c>raw</c> length must be written before the first item).
/// It stores nothing per item: lengths come from the population's per-slot cache, and the
/// second pass re-reads the same immutable snapshot. Pure: no I/O.
/// </summary>
internal static class ListPlanner
{
    public static ListPage Plan(PodPopulationSnapshot snapshot, PodFilter filter, int start, long limit, bool measure, ArrayBufferWriter<byte> scratch, CancellationToken cancellationToken)
    {
        int items = 0;
        long bytes = 0;
        int i = Math.Max(0, start);
        for (; i < snapshot.SlotCount; i++)
        {
            if ((i & 4095) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            if (!Selects(snapshot, filter, i, out _))
                continue;
            if (limit > 0 && items == limit)
                return new ListPage(start, i, items, bytes, i);
            items++;
            if (measure)
                bytes += ListEncoding.ItemFieldSize(snapshot.MessageLength(i, scratch));
        }
        return new ListPage(start, i, items, bytes, null);
    }

    /// <summary>True when slot <paramref name="index"/> holds a pod the filter selects; <paramref name="pod"/> is set when it had to be read.</summary>
    public static bool Selects(PodPopulationSnapshot snapshot, PodFilter filter, int index, out V1Pod? pod)
    {
        pod = null;
        if (!snapshot.Contains(index))
            return false;
        if (filter.Namespace is not null && !filter.MatchesNamespace(snapshot.NamespaceOf(index)))
            return false;
        if (filter.Shard is not null && !filter.MatchesShard(snapshot.UidOf(index), snapshot.NamespaceOf(index)))
            return false;
        if (!filter.HasLabelOrNameSelector)
            return true;
        pod = snapshot.Get(index);
        return pod is not null && filter.MatchesObject(pod.Metadata);
    }
}
