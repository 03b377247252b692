using System.Collections;

namespace StreamList.Codec;

/// <summary>
/// A list of a frozen object: an array of exactly its length behind <see cref="IList{T}"/>.
///
/// Contract: immutable — every mutating member throws <see cref="NotSupportedException"/>
/// (<see cref="ReadOnlyCollections.Mutation"/>); the array is never exposed, so nothing else can
/// change it.
/// </summary>
internal sealed class ReadOnlyList<T>(T[] items) : IList<T>, IReadOnlyList<T>
{
    /// <summary>The empty list.</summary>
    public static ReadOnlyList<T> Empty { get; } = new([]);

    /// <inheritdoc/>
    public T this[int index]
    {
        get => items[index];
        set => throw ReadOnlyCollections.Mutation();
    }

    /// <inheritdoc/>
    public int Count => items.Length;

    /// <inheritdoc/>
    public bool IsReadOnly => true;

    /// <inheritdoc/>
    public int IndexOf(T item) => Array.IndexOf(items, item);

    /// <inheritdoc/>
    public bool Contains(T item) => Array.IndexOf(items, item) >= 0;

    /// <inheritdoc/>
    public void CopyTo(T[] array, int arrayIndex) => items.CopyTo(array, arrayIndex);

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

    /// <inheritdoc/>
    public void Add(T item) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public void Insert(int index, T item) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public bool Remove(T item) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public void RemoveAt(int index) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public void Clear() => throw ReadOnlyCollections.Mutation();
}
