namespace StreamList.Informers;

/// <summary>
/// An <see cref="IResourceEventHandler{T}"/> made of delegates, for lambdas (client-go's
/// ResourceEventHandlerFuncs). A notification whose delegate is null is ignored.
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
public sealed class ResourceEventHandler<T> : IResourceEventHandler<T>
    where T : class
{
    /// <summary>Called for an added object, with isInInitialList.</summary>
    public Func<T, bool, CancellationToken, ValueTask>? OnAdd { get; init; }

    /// <summary>Called for a changed object, with its old and new states (the same instance for a resync).</summary>
    public Func<T, T, CancellationToken, ValueTask>? OnUpdate { get; init; }

    /// <summary>Called for a deleted object, with finalStateUnknown.</summary>
    public Func<T, bool, CancellationToken, ValueTask>? OnDelete { get; init; }

    /// <summary>A handler from synchronous delegates; any of them may be null.</summary>
    /// <param name="onAdd">Called with the added object and isInInitialList.</param>
    /// <param name="onUpdate">Called with the old and new states.</param>
    /// <param name="onDelete">Called with the deleted object and finalStateUnknown.</param>
#pragma warning disable CA1000 // The factory belongs with the type it makes: ResourceEventHandler<Pod>.From(...).
    public static ResourceEventHandler<T> From(Action<T, bool>? onAdd = null, Action<T, T>? onUpdate = null, Action<T, bool>? onDelete = null)
#pragma warning restore CA1000
        => new()
        {
            OnAdd = onAdd is null ? null : (obj, initial, _) =>
            {
                onAdd(obj, initial);
                return ValueTask.CompletedTask;
            },
            OnUpdate = onUpdate is null ? null : (oldObj, newObj, _) =>
            {
                onUpdate(oldObj, newObj);
                return ValueTask.CompletedTask;
            },
            OnDelete = onDelete is null ? null : (obj, unknown, _) =>
            {
                onDelete(obj, unknown);
                return ValueTask.CompletedTask;
            },
        };

    ValueTask IResourceEventHandler<T>.OnAddAsync(T obj, bool isInInitialList, CancellationToken cancellationToken) =>
        OnAdd?.Invoke(obj, isInInitialList, cancellationToken) ?? ValueTask.CompletedTask;

    ValueTask IResourceEventHandler<T>.OnUpdateAsync(T oldObj, T newObj, CancellationToken cancellationToken) =>
        OnUpdate?.Invoke(oldObj, newObj, cancellationToken) ?? ValueTask.CompletedTask;

    ValueTask IResourceEventHandler<T>.OnDeleteAsync(T obj, bool finalStateUnknown, CancellationToken cancellationToken) =>
        OnDelete?.Invoke(obj, finalStateUnknown, cancellationToken) ?? ValueTask.CompletedTask;
}
