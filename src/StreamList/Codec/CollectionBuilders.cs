using System.Buffers;
using System.Runtime.CompilerServices;

namespace StreamList.Codec;

/// <summary>
/// Collects a repeated field's elements while one message is decoded (in a pooled array), then
/// gives the object a single exact-size <see cref="ReadOnlyList{T}"/>: no growing <see cref="List{T}"/>
/// is left behind as garbage between the objects that survive. Measured on 100,000 fixture pods
/// decoded and kept (one process per run, 3 runs each): decoding into <see cref="List{T}"/> took
/// 42–43 µs per pod and kept 14,901 bytes; converting those lists afterwards kept 13,481 bytes but took
/// 65–109 µs, collections slowed by dead objects between the live ones; collecting here, 34–36 µs and 13,554 bytes.
///
/// Contract: a local of one <c>MergeX</c> call, used by that call only; <see cref="Build"/> returns
/// the pooled array. A message that occurs twice is merged: elements already in the object come first.
/// </summary>
internal struct ListBuilder<T>
{
    private T[]? _items;
    private int _count;

    /// <summary>Appends one element.</summary>
    public void Add(T item)
    {
        if (_items is null)
            _items = ArrayPool<T>.Shared.Rent(4);
        else if (_count == _items.Length)
            Grow();
        _items[_count++] = item;
    }

    private void Grow()
    {
        var larger = ArrayPool<T>.Shared.Rent(_items!.Length * 2);
        Array.Copy(_items, larger, _count);
        Release();
        _items = larger;
    }

    /// <summary>The collected elements after <paramref name="existing"/>'s, as an exact array; null when nothing was collected.</summary>
    public T[]? TakeArray(ICollection<T>? existing)
    {
        if (_count == 0)
            return null;
        int before = existing?.Count ?? 0;
        var exact = new T[before + _count];
        existing?.CopyTo(exact, 0);
        Array.Copy(_items!, 0, exact, before, _count);
        Release();
        _items = null;
        _count = 0;
        return exact;
    }

    /// <summary>The list the object gets: <paramref name="existing"/> when nothing was collected.</summary>
    public IList<T>? Build(IList<T>? existing) => TakeArray(existing) is { } exact ? new ReadOnlyList<T>(exact) : existing;

    private readonly void Release() => ArrayPool<T>.Shared.Return(_items!, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
}

/// <summary>
/// Collects a proto map's entries while one message is decoded, then gives the object one
/// <see cref="ReadOnlyMap{TValue}"/>. A key seen twice keeps its last value, as protobuf requires.
/// </summary>
internal struct MapBuilder<TValue>
{
    private ListBuilder<KeyValuePair<string, TValue>> _entries;

    /// <summary>Adds (or, at <see cref="Build"/>, replaces) one entry.</summary>
    public void Add(string key, TValue value) => _entries.Add(new(key, value));

    /// <summary>The map the object gets: <paramref name="existing"/> when nothing was collected.</summary>
    public IDictionary<string, TValue>? Build(IDictionary<string, TValue>? existing) =>
        _entries.TakeArray(existing) is { } entries ? ReadOnlyMap<TValue>.FromEntries(entries) : existing;
}
