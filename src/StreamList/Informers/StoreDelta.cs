namespace StreamList.Informers;

/// <summary>What one store change did.</summary>
internal enum DeltaType { Added, Updated, Deleted }

/// <summary>
/// One applied store change, as handlers are told of it: for Updated, the old and new states; for
/// Deleted, the last known state in <see cref="Old"/>, with <see cref="FinalStateUnknown"/> set when
/// the delete was inferred by a relist rather than seen on the watch (a tombstone).
/// </summary>
internal readonly record struct StoreDelta<T>(DeltaType Type, string Key, T? Old, T? New, bool FinalStateUnknown = false)
    where T : class;
