namespace StreamList.Informers;

/// <summary>
/// A compact store payload that several handlers of one event will read: decoded by the first
/// handler loop that needs it, and that one object shared by the others (as in Objects mode, where
/// every handler gets the same instance). Never decoded when no handler reads it.
///
/// Contract: thread-safe; if two loops race, both decode and one result wins for everyone after.
/// </summary>
internal sealed class SharedDecode<T>(object payload)
    where T : class
{
    private T? _value;

    /// <summary>The decoded object, decoded with <paramref name="read"/> on first use.</summary>
    public T Get(Func<object, T> read)
    {
        var value = Volatile.Read(ref _value);
        if (value is not null)
            return value;
        value = read(payload);
        return Interlocked.CompareExchange(ref _value, value, null) ?? value;
    }
}
