namespace StreamList.Informers;

/// <summary>What one store change did.</summary>
internal enum DeltaType { Added, Updated, Deleted }

/// <summary>
/// One applied store change, as handlers are told of it: for Updated, the old and new states; for
/// Deleted, the last known state in <see cref="Old"/>, with <see cref="FinalStateUnknown"/> set when
/// the delete was inferred by a relist rather than seen on the watch (a tombstone). A change stored
/// from wire bytes carries no objects but the store's payloads (<see cref="OldPayload"/>,
/// <see cref="NewPayload"/>), decoded only if a handler needs them.
/// </summary>
internal readonly record struct StoreDelta<T>(DeltaType Type, string Key, T? Old, T? New, bool FinalStateUnknown = false,
    object? OldPayload = null, object? NewPayload = null)
    where T : class;
