using System.Buffers;
using System.Collections.Immutable;
using k8s.Models;
using StreamList.Testing.Fixture;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Testing.Server;

/// <summary>
/// The population at one resourceVersion, immutable: slots <c>0..SlotCount-1</c> in index order,
/// each the lazy fixture pod, a stored override, or deleted. Reading never locks and never sees a
/// later change, so a list can be served in two passes (measure, then write) over the same items,
/// and a continue token can resume it while the population moves on.
/// </summary>
/// <remarks>
/// Untouched slots are generated on every read (a new object each time); stored pods are shared
/// between snapshots and readers: treat every returned pod as read-only.
/// </remarks>
public sealed class PodPopulationSnapshot
{
    private readonly PodPopulation _owner;
    private readonly ImmutableDictionary<int, PodEntry> _overrides;
    private readonly ImmutableSortedSet<int> _deleted;

    internal PodPopulationSnapshot(PodPopulation owner, long resourceVersion, int slotCount, int count,
        ImmutableDictionary<int, PodEntry> overrides, ImmutableSortedSet<int> deleted)
    {
        _owner = owner;
        ResourceVersion = resourceVersion;
        SlotCount = slotCount;
        Count = count;
        _overrides = overrides;
        _deleted = deleted;
    }

    /// <summary>The resourceVersion this snapshot is the state at.</summary>
    public long ResourceVersion { get; }

    /// <summary>Slots are indexes <c>0..SlotCount-1</c>; deleted slots stay (empty) and are never reused.</summary>
    public int SlotCount { get; }

    /// <summary>Live pods.</summary>
    public int Count { get; }

    internal ImmutableDictionary<int, PodEntry> Overrides => _overrides;

    internal ImmutableSortedSet<int> DeletedSlots => _deleted;

    /// <summary>True when slot <paramref name="index"/> holds a pod.</summary>
    public bool Contains(int index) =>
        (uint)index < (uint)SlotCount && (!_overrides.TryGetValue(index, out var e) || e.Pod is not null);

    /// <summary>The pod in slot <paramref name="index"/>, or null when the slot is deleted or out of range.</summary>
    public V1Pod? Get(int index)
    {
        if ((uint)index >= (uint)SlotCount)
            return null;
        if (_overrides.TryGetValue(index, out var entry))
            return entry.Pod;
        return PodFixture.Create(_owner.Seed, index);
    }

    /// <summary>Live pods with index ≥ <paramref name="fromIndex"/>, in index order.</summary>
    public IEnumerable<PodSlot> Enumerate(int fromIndex = 0)
    {
        for (int i = Math.Max(0, fromIndex); i < SlotCount; i++)
        {
            if (Get(i) is { } pod)
                yield return new PodSlot(i, pod);
        }
    }

    /// <summary>Live pods with index ≥ <paramref name="fromIndex"/> (no pod is generated).</summary>
    public int CountFrom(int fromIndex)
    {
        fromIndex = Math.Clamp(fromIndex, 0, SlotCount);
        int deletedFrom = 0;
        if (_deleted.Count > 0)
        {
            int at = _deleted.IndexOf(fromIndex);
            deletedFrom = _deleted.Count - (at >= 0 ? at : ~at);
        }
        return SlotCount - fromIndex - deletedFrom;
    }

    /// <summary>The namespace of a live slot, without generating an untouched pod.</summary>
    internal string? UidOf(int index) =>
        _overrides.TryGetValue(index, out var entry) ? entry.Pod?.Metadata?.Uid : PodFixture.UidOf(_owner.Seed, index);

    internal string? NamespaceOf(int index) =>
        _overrides.TryGetValue(index, out var entry) ? entry.Pod?.Metadata?.NamespaceProperty : PodFixture.NamespaceOf(index);

    /// <summary>
    /// The protobuf message length of a live slot's pod: measured when stored for overrides,
    /// cached per index for untouched fixture pods (measured on first use with <paramref name="scratch"/>).
    /// </summary>
    internal int MessageLength(int index, ArrayBufferWriter<byte> scratch)
    {
        if (_overrides.TryGetValue(index, out var entry))
            return entry.MessageLength;
        return _owner.BaseMessageLength(index, scratch);
    }

    /// <summary>Encodes <paramref name="pod"/>'s message body into <paramref name="w"/> (reset first).</summary>
    internal static void Encode(ArrayBufferWriter<byte> w, V1Pod pod)
    {
        w.ResetWrittenCount();
        ListEncoding.EncodeMessage(pod, w);
    }
}

/// <summary>One live pod and its slot index.</summary>
/// <param name="Index">The slot.</param>
/// <param name="Pod">The pod (read-only).</param>
public readonly record struct PodSlot(int Index, V1Pod Pod);
