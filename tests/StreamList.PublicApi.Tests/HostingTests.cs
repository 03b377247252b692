using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StreamList.Hosting;
using StreamList.Informers;
using StreamList.Testing;
using StreamList.Testing.Server;

namespace StreamList.PublicApi.Tests;

/// <summary>StreamList in a real .NET host: informers from DI, started and stopped with the host, a health check that says why.</summary>
public class HostingTests
{
    [Fact]
    public async Task A_host_starts_its_informers_waits_for_their_sync_and_stops_them()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 300 });
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() }));
        builder.Services.AddStreamList(o => o.SyncTimeout = TimeSpan.FromMinutes(1)).AddInformer<V1Pod>();
        builder.Services.AddHealthChecks().AddStreamListInformers();
        using var host = builder.Build();

        await host.StartAsync(); // returns once the pods are synced
        var pods = host.Services.GetRequiredService<Informer<V1Pod>>();
        Assert.True(pods.HasSynced);
        Assert.Same(pods, host.Services.GetRequiredService<SharedInformerFactory>().GetInformer<V1Pod>());
        Assert.Equal(server.GetState().KeysSha256, KeysSha256.Compute(pods.Store.List()));
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);

        await host.StopAsync();
        var wait = await pods.WaitForSyncAsync(); // still true: it synced before it stopped
        Assert.True(wait);
        await Eventually.Until(() => server.WatcherCount == 0); // the informer's watch ended with the host
    }

    [Fact]
    public async Task An_informer_that_cannot_sync_fails_the_start_and_the_health_check_says_why()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 20 });
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() }));
        builder.Services.AddStreamList(o => o.SyncTimeout = null).AddInformer<V1Pod>().AddInformer<V1Namespace>(); // not served: 404
        builder.Services.AddHealthChecks().AddStreamListInformers();
        using var host = builder.Build();
        await host.StartAsync();

        var namespaces = host.Services.GetRequiredService<Informer<V1Namespace>>();
        var pods = host.Services.GetRequiredService<Informer<V1Pod>>();
        await Eventually.Until(() => pods.HasSynced && namespaces.Statistics.Failures >= 1);
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["streamlist-informers"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("V1Namespace", entry.Description, StringComparison.Ordinal);
        Assert.Contains("V1Namespace", entry.Data.Keys);
        Assert.DoesNotContain("V1Pod", entry.Data.Keys);
        await host.StopAsync();

        // With a sync timeout, the host's start fails and names the informer.
        var strict = Host.CreateApplicationBuilder();
        strict.Services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() }));
        strict.Services.AddStreamList(o => o.SyncTimeout = TimeSpan.FromSeconds(2)).AddInformer<V1Namespace>();
        using var failing = strict.Build();
        var e = await Assert.ThrowsAsync<InformersNotSyncedException>(() => failing.StartAsync());
        Assert.Equal("V1Namespace", Assert.Single(e.Informers).Name);
        await failing.StopAsync();
    }
}
