using Microsoft.Extensions.Hosting;

namespace StreamList.Testing.Server;

/// <summary>The fake server's host lifetime: hooks neither Ctrl+C nor SIGTERM and prints nothing, so a test process keeps its own signals and output.</summary>
internal sealed class QuietHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
