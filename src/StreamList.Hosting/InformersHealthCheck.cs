using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StreamList.Informers;

namespace StreamList.Hosting;

/// <summary>
/// Healthy once every informer of the shared factory has synced; otherwise Unhealthy, naming each
/// unsynced informer, its failure count and last error (also as data, keyed by informer name), so a
/// readiness probe says why a controller is not ready.
/// </summary>
public sealed class InformersHealthCheck(SharedInformerFactory factory) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unsynced = factory.GetUnsynced();
        if (unsynced.Count == 0)
            return Task.FromResult(HealthCheckResult.Healthy($"{factory.Count} informers synced"));
        var data = unsynced.ToDictionary(i => i.Name, i => (object)(i.LastError?.Message ?? "syncing"));
        string description = string.Join("; ", unsynced.Select(i => i.LastError is { } e
            ? $"{i.Name}: not synced after {i.Failures} failures, last: {e.Message}"
            : $"{i.Name}: syncing"));
        return Task.FromResult(new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, description, data: data));
    }
}

/// <summary>Registers <see cref="InformersHealthCheck"/>.</summary>
public static class InformersHealthCheckBuilderExtensions
{
    /// <summary>Adds the informers' health check under <paramref name="name"/> (tags: <c>ready</c>).</summary>
    public static IHealthChecksBuilder AddStreamListInformers(this IHealthChecksBuilder builder, string name = "streamlist-informers")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new InformersHealthCheck(sp.GetRequiredService<SharedInformerFactory>()),
            HealthStatus.Unhealthy, ["ready"]));
    }
}
