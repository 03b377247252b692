namespace StreamList.Informers;

/// <summary>
/// Receives an informer's changes. Each handler gets its own ordered queue: calls to one handler
/// never overlap and arrive in the order the cache changed; a slow or throwing handler affects
/// no other. Objects are shared with the cache: treat them as read-only.
/// </summary>
public interface IResourceEventHandler<in T>
    where T : class
{
    /// <summary>An object was added; <paramref name="isInInitialList"/> for the contents delivered on registration or first sync.</summary>
    ValueTask OnAddAsync(T obj, bool isInInitialList, CancellationToken cancellationToken);

    /// <summary>An object changed (or a periodic resync re-delivered it: then both are the same instance).</summary>
    ValueTask OnUpdateAsync(T oldObj, T newObj, CancellationToken cancellationToken);

    /// <summary>
    /// An object was deleted. <paramref name="finalStateUnknown"/> (client-go's DeletedFinalStateUnknown)
    /// when a relist found it gone and <paramref name="obj"/> is only the last state the cache had.
    /// </summary>
    ValueTask OnDeleteAsync(T obj, bool finalStateUnknown, CancellationToken cancellationToken);
}
