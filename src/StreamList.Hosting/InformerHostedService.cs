using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StreamList.Informers;

namespace StreamList.Hosting;

/// <summary>
/// Starts every registered informer when the host starts (waiting for them to sync when
/// <see cref="StreamListHostingOptions.SyncTimeout"/> is set, so the host's start fails with
/// <see cref="InformersNotSyncedException"/> naming the ones that could not) and stops them when it stops.
/// </summary>
internal sealed class InformerHostedService(
    SharedInformerFactory factory, IEnumerable<InformerRegistration> registrations, IServiceProvider services, IOptions<StreamListHostingOptions> options)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var registration in registrations)
            registration.Create(services);
        factory.Start();
        if (options.Value.SyncTimeout is { } timeout)
            await factory.WaitForCacheSyncAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => factory.StopAsync().WaitAsync(cancellationToken);
}
