using System.Collections;
using k8s.Models;
using StreamList.Memory;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// An object's own metadata.managedFields kept as their protobuf bytes (an owned copy) and decoded
/// when an element is first asked for: what a compact store's reads give
/// (<see cref="DecodeOptions.DeferManagedFields"/>). Most readers never look at managedFields, and
/// their FieldsV1 values (JSON inside the protobuf, two of three unique per pod) are most of the cost
/// of decoding a pod's metadata.
///
/// Contract: read-only like <see cref="ReadOnlyList{T}"/>; <see cref="Count"/> is known without
/// decoding. The first element access (indexer, enumeration, search, copy) decodes every entry once
/// and keeps them; threads that race there may each decode, and all then see one result. Bytes that
/// do not decode throw <see cref="KubernetesWireException"/> at that access, every time, with the
/// offset in the object's message body and the path from <c>metadata</c>.
/// </summary>
internal sealed class DeferredManagedFields : IList<V1ManagedFieldsEntry>, IReadOnlyList<V1ManagedFieldsEntry>
{
    private readonly int _count;
    private readonly long _offset;
    private readonly Utf8StringPool? _strings;
    private readonly int _maxDepth;
    private readonly int _depth;
    private byte[]? _records; // dropped once decoded
    private V1ManagedFieldsEntry[]? _items;

    /// <param name="records">From the first entry's length prefix to the end of the last entry, other ObjectMeta fields between them included.</param>
    /// <param name="count">How many entries the records hold.</param>
    /// <param name="offset">Where <paramref name="records"/> began in the object's message body.</param>
    /// <param name="strings">The string pool of the decode that deferred them.</param>
    /// <param name="maxDepth">The decode's depth limit.</param>
    /// <param name="depth">The metadata's depth in that decode.</param>
    internal DeferredManagedFields(byte[] records, int count, long offset, Utf8StringPool? strings, int maxDepth, int depth)
    {
        _depth = depth;
        _records = records;
        _count = count;
        _offset = offset;
        _strings = strings;
        _maxDepth = maxDepth;
    }

    /// <summary>Whether the entries have been decoded (tests and diagnostics).</summary>
    internal bool IsDecoded => Volatile.Read(ref _items) is not null;

    private V1ManagedFieldsEntry[] Items => Volatile.Read(ref _items) ?? Decode();

    private V1ManagedFieldsEntry[] Decode()
    {
        // _items is published before _records is dropped: a reader that finds no records finds the items.
        if (Volatile.Read(ref _records) is not { } records)
            return Volatile.Read(ref _items)!;
        var items = new V1ManagedFieldsEntry[_count];
        var r = new ProtoReader(records, _offset, _strings, _maxDepth - _depth);
        try
        {
            const uint EntryTag = (17 << 3) | (uint)WireType.LengthDelimited;
            int n = 0;
            uint tag = EntryTag; // the records start after the first entry's tag, which the deferring decode read
            do
            {
                if (tag != EntryTag)
                {
                    r.SkipField(tag);
                    continue;
                }
                r.Named("managedFields");
                items[n++] = ProtobufCodec.ReadV1ManagedFieldsEntry(ref r, null);
            }
            while (r.TryReadTag(out tag));
        }
        catch (KubernetesWireException e)
        {
            throw e.Within("metadata", $"messages nested deeper than {_maxDepth}");
        }
        var kept = Interlocked.CompareExchange(ref _items, items, null) ?? items;
        Volatile.Write(ref _records, null);
        return kept;
    }

    /// <inheritdoc/>
    public V1ManagedFieldsEntry this[int index]
    {
        get => Items[index];
        set => throw ReadOnlyCollections.Mutation();
    }

    /// <inheritdoc/>
    public int Count => _count;

    /// <inheritdoc/>
    public bool IsReadOnly => true;

    /// <inheritdoc/>
    public int IndexOf(V1ManagedFieldsEntry item) => Array.IndexOf(Items, item);

    /// <inheritdoc/>
    public bool Contains(V1ManagedFieldsEntry item) => IndexOf(item) >= 0;

    /// <inheritdoc/>
    public void CopyTo(V1ManagedFieldsEntry[] array, int arrayIndex) => Items.CopyTo(array, arrayIndex);

    /// <inheritdoc/>
    public IEnumerator<V1ManagedFieldsEntry> GetEnumerator() => ((IEnumerable<V1ManagedFieldsEntry>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public void Add(V1ManagedFieldsEntry item) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public void Insert(int index, V1ManagedFieldsEntry item) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public bool Remove(V1ManagedFieldsEntry item) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public void RemoveAt(int index) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public void Clear() => throw ReadOnlyCollections.Mutation();
}

/// <summary>
/// Collects where an ObjectMeta's managedFields entries lie while it is decoded with them deferred,
/// then gives the object a <see cref="DeferredManagedFields"/> over a copy of those bytes.
/// Contract: a local of one ObjectMeta merge, as <see cref="ListBuilder{T}"/> is.
/// </summary>
internal struct DeferredManagedFieldsBuilder
{
    private int _start;
    private int _end;
    private int _count;

    /// <summary>Passes over one entry (the reader is at its length prefix), checking only its length.</summary>
    public void Add(ref ProtoReader r)
    {
        if (_count++ == 0)
            _start = r.Position;
        r.PeekLengthDelimited(out int recordLength);
        r.SkipBytes(recordLength);
        _end = r.Position;
    }

    /// <summary>
    /// The list the object gets: <paramref name="existing"/> when nothing was deferred; the deferred
    /// entries; or, merging into entries the object already has, both decoded now.
    /// </summary>
    public readonly IList<V1ManagedFieldsEntry>? Build(ref ProtoReader r, IList<V1ManagedFieldsEntry>? existing)
    {
        if (_count == 0)
            return existing;
        var deferred = new DeferredManagedFields(
            r.Bytes(_start, _end - _start).ToArray(), _count, r.AbsolutePosition - (r.Position - _start), r.Strings, r.MaxDepth, r.Depth);
        return existing is null ? deferred : new ReadOnlyList<V1ManagedFieldsEntry>([.. existing, .. deferred]);
    }
}
