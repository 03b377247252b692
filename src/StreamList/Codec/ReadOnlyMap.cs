using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace StreamList.Codec;

/// <summary>
/// A string-keyed map of a frozen object (labels, annotations, node selectors, resource lists):
/// one array of entries sorted by key (ordinal, as the apiserver orders map keys) and searched by
/// bisection — two objects where a <see cref="Dictionary{TKey,TValue}"/> needs three and a hash
/// slot per entry. Kubernetes maps are small, so a lookup costs a few ordinal compares.
///
/// Contract: immutable — every mutating member throws <see cref="NotSupportedException"/>
/// (<see cref="ReadOnlyCollections.Mutation"/>); enumeration is in key order; keys compare ordinally.
/// </summary>
internal sealed class ReadOnlyMap<TValue> : IDictionary<string, TValue>, IReadOnlyDictionary<string, TValue>
{
    private readonly KeyValuePair<string, TValue>[] _entries;

    private ReadOnlyMap(KeyValuePair<string, TValue>[] sortedUnique) => _entries = sortedUnique;

    /// <summary>A copy of <paramref name="source"/> (a dictionary: keys are unique).</summary>
    public ReadOnlyMap(IDictionary<string, TValue> source)
        : this(Sorted([.. source]))
    {
    }

    /// <summary>
    /// A map over <paramref name="entries"/>, which it takes over: in key order already (as the
    /// apiserver writes maps) it is used as it is; otherwise sorted, a repeated key keeping its last value.
    /// </summary>
    public static ReadOnlyMap<TValue> FromEntries(KeyValuePair<string, TValue>[] entries)
    {
        if (IsSortedUnique(entries))
            return new ReadOnlyMap<TValue>(entries);
        var lastWins = new Dictionary<string, TValue>(entries.Length, StringComparer.Ordinal);
        foreach (var (key, value) in entries)
            lastWins[key] = value;
        return new ReadOnlyMap<TValue>(Sorted([.. lastWins]));
    }

    private static KeyValuePair<string, TValue>[] Sorted(KeyValuePair<string, TValue>[] unique)
    {
        if (!IsSortedUnique(unique))
            Array.Sort(unique, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return unique;
    }

    private static bool IsSortedUnique(KeyValuePair<string, TValue>[] entries)
    {
        for (int i = 1; i < entries.Length; i++)
        {
            if (string.CompareOrdinal(entries[i - 1].Key, entries[i].Key) >= 0)
                return false;
        }
        return true;
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int lo = 0, hi = _entries.Length - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            int c = string.CompareOrdinal(_entries[mid].Key, key);
            if (c == 0)
                return mid;
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    /// <inheritdoc/>
    public TValue this[string key]
    {
        get => IndexOf(key) is var i and >= 0 ? _entries[i].Value : throw new KeyNotFoundException($"The key '{key}' was not present in the map.");
        set => throw ReadOnlyCollections.Mutation();
    }

    /// <inheritdoc/>
    public int Count => _entries.Length;

    /// <inheritdoc/>
    public bool IsReadOnly => true;

    /// <inheritdoc/>
    public ICollection<string> Keys => new ReadOnlyList<string>(Array.ConvertAll(_entries, static e => e.Key));

    /// <inheritdoc/>
    public ICollection<TValue> Values => new ReadOnlyList<TValue>(Array.ConvertAll(_entries, static e => e.Value));

    IEnumerable<string> IReadOnlyDictionary<string, TValue>.Keys => Keys;

    IEnumerable<TValue> IReadOnlyDictionary<string, TValue>.Values => Values;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TValue value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _entries[i].Value : default;
        return i >= 0;
    }

    /// <inheritdoc/>
    public bool Contains(KeyValuePair<string, TValue> item) =>
        IndexOf(item.Key) is var i and >= 0 && EqualityComparer<TValue>.Default.Equals(_entries[i].Value, item.Value);

    /// <inheritdoc/>
    public void CopyTo(KeyValuePair<string, TValue>[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, TValue>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    /// <inheritdoc/>
    public void Add(string key, TValue value) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public void Add(KeyValuePair<string, TValue> item) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public bool Remove(string key) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public bool Remove(KeyValuePair<string, TValue> item) => throw ReadOnlyCollections.Mutation();

    /// <inheritdoc/>
    public void Clear() => throw ReadOnlyCollections.Mutation();
}
