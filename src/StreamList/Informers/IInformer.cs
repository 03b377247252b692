namespace StreamList.Informers;

/// <summary>What a <see cref="SharedInformerFactory"/> needs of an informer whatever its type.</summary>
internal interface IInformer : IAsyncDisposable
{
    void Start();

    Task WaitForSyncAsync(CancellationToken cancellationToken);

    Task StopAsync();
}
