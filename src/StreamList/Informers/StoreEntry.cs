namespace StreamList.Informers;

/// <summary>
/// One object held by an <see cref="InformerStore{T}"/>: its key, the identity a relist compares
/// (uid, resourceVersion), its payload, the values it was indexed under and the relist generation
/// that last saw it.
///
/// Contract: written only by the store's writer. <see cref="Payload"/> is replaced (never mutated)
/// inside the store's exclusive section, so a reader that copied it under the read gate may use it
/// after leaving the gate. Readers never look at the other mutable fields: <see cref="IndexValues"/>
/// and <see cref="Generation"/> are writer-side bookkeeping. An entry keeps its identity for as long
/// as its key is in the store, so index sets may hold entries rather than keys.
/// </summary>
internal sealed class StoreEntry(string key)
{
    /// <summary>The store key; the same instance the store's dictionary and the index sets use.</summary>
    public readonly string Key = key;

    /// <summary>The object (<see cref="StoreMode.Objects"/>) or its owned protobuf message body (<see cref="StoreMode.Compact"/>).</summary>
    public object Payload = null!;

    /// <summary><c>metadata.uid</c> when stored.</summary>
    public string? Uid;

    /// <summary><c>metadata.resourceVersion</c> when stored.</summary>
    public string? ResourceVersion;

    /// <summary>
    /// Per index slot, the values this entry was added under: null (none), a <see cref="string"/>
    /// (one) or a <see cref="string"/>[] (several, distinct). Kept so an update or delete removes
    /// exactly what was added, without the old object (a compact store never decodes to reindex).
    /// </summary>
    public object?[] IndexValues = [];

    /// <summary>The relist generation that last saw this entry (set by every upsert and by relist marking).</summary>
    public long Generation;
}
