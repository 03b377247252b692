namespace StreamList.Informers;

/// <summary>
/// One named index of an <see cref="InformerStore{T}"/>: each value its function gives → the set
/// of entries indexed under that value.
///
/// Contract: an entry's values are computed once by <see cref="Compute"/> (user code: the store
/// calls it outside its exclusive section, before changing anything) and kept on the entry, so
/// <see cref="Remove"/> takes out exactly what <see cref="Add"/> put in, whatever the object looks
/// like by then. A value whose set empties is dropped: the index never holds a value or an entry
/// the store no longer has. Value strings are canonicalized to the instance the index already
/// holds, so 500k entries in 50 namespaces hold 50 namespace strings. Not thread-safe: the store
/// mutates it only inside its exclusive section and reads it under its read gate.
/// </summary>
internal sealed class StoreIndex<T>(string name, IndexFunc<T> func, int slot)
{
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>The index name.</summary>
    public string Name { get; } = name;

    /// <summary>Where an entry keeps this index's values (<see cref="StoreEntry.IndexValues"/>).</summary>
    public int Slot { get; } = slot;

    /// <summary>Number of distinct values.</summary>
    public int ValueCount => _buckets.Count;

    /// <summary>Every value with at least one entry.</summary>
    public IEnumerable<string> Values => _buckets.Keys;

    /// <summary>
    /// The values of <paramref name="obj"/>: null (none), a string (one) or a string[] (several,
    /// distinct, in the function's order). Null values from the function are skipped.
    /// </summary>
    public object? Compute(T obj)
    {
        var values = func(obj);
        if (values is null)
            return null;
        string? first = null;
        List<string>? more = null;
        foreach (string? v in values)
        {
            if (v is null)
                continue;
            if (first is null)
                first = v;
            else if (more is null)
            {
                if (!string.Equals(v, first, StringComparison.Ordinal))
                    more = [first, v];
            }
            else if (!more.Contains(v, StringComparer.Ordinal))
                more.Add(v);
        }
        return more is not null ? more.ToArray() : first;
    }

    /// <summary>Adds <paramref name="entry"/> under the values in its slot, canonicalizing them in place.</summary>
    public void Add(StoreEntry entry)
    {
        switch (entry.IndexValues[Slot])
        {
            case string one:
                entry.IndexValues[Slot] = AddOne(one, entry);
                break;
            case string[] several:
                for (int i = 0; i < several.Length; i++)
                    several[i] = AddOne(several[i], entry);
                break;
        }
    }

    /// <summary>Removes <paramref name="entry"/> from the values in its slot, dropping values left with no entry.</summary>
    public void Remove(StoreEntry entry)
    {
        switch (entry.IndexValues[Slot])
        {
            case string one:
                RemoveOne(one, entry);
                break;
            case string[] several:
                foreach (string v in several)
                    RemoveOne(v, entry);
                break;
        }
    }

    /// <summary>The entries indexed under <paramref name="value"/>, or null when none.</summary>
    public IReadOnlyCollection<StoreEntry>? Find(string value) => _buckets.GetValueOrDefault(value);

    private string AddOne(string value, StoreEntry entry)
    {
        if (!_buckets.TryGetValue(value, out var bucket))
        {
            bucket = new Bucket(value);
            _buckets.Add(value, bucket);
        }
        bucket.Add(entry);
        return bucket.Value;
    }

    private void RemoveOne(string value, StoreEntry entry)
    {
        if (_buckets.TryGetValue(value, out var bucket) && bucket.Remove(entry) && bucket.Count == 0)
            _buckets.Remove(value);
    }

    /// <summary>The entries under one value; entries compare by reference (one entry per key at a time).</summary>
    private sealed class Bucket(string value) : HashSet<StoreEntry>(ReferenceEqualityComparer.Instance)
    {
        public string Value { get; } = value;
    }
}
