namespace StreamList.Informers;

/// <summary>What a <see cref="SharedInformerFactory"/> needs of an informer whatever its type.</summary>
internal interface IInformer : IAsyncDisposable
{
    void Start();

    string Name { get; }

    bool HasSynced { get; }

    Task<bool> WaitForSyncAsync(CancellationToken cancellationToken);

    Task StopAsync();

    /// <summary>This informer as a failed wait reports it.</summary>
    UnsyncedInformer Unsynced();
}
