using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamList.Informers;

namespace StreamList.Hosting;

/// <summary>
/// Registers StreamList in a service collection: one <see cref="SharedInformerFactory"/> over the
/// <see cref="IKubernetes"/> client the container holds (registered by the application, or made from
/// the default kubeconfig / in-cluster configuration when it holds none), the informers asked for,
/// and the hosted service that starts them with the host and stops them on shutdown.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddStreamList(o => o.SyncTimeout = TimeSpan.FromMinutes(2))
///     .AddInformer&lt;V1Pod&gt;()
///     .AddInformer&lt;V1Node&gt;(configure: o => o with { StoreMode = StoreMode.Compact });
/// builder.Services.AddHealthChecks().AddStreamListInformers();
/// // later: services.GetRequiredService&lt;Informer&lt;V1Pod&gt;&gt;()
/// </code>
/// </example>
public static class StreamListServiceCollectionExtensions
{
    /// <summary>Adds the shared informer factory and the hosted service; returns a builder to add informers with.</summary>
    public static StreamListBuilder AddStreamList(this IServiceCollection services, Action<StreamListHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<StreamListHostingOptions>();
        if (configure is not null)
            services.Configure(configure);
        services.TryAddSingleton<IKubernetes>(_ => new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig()));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StreamListHostingOptions>>().Value;
            return new SharedInformerFactory(sp.GetRequiredService<IKubernetes>(), new SharedInformerFactoryOptions
            {
                StoreMode = options.StoreMode,
                UseWatchList = options.UseWatchList,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
                Time = sp.GetService<TimeProvider>() ?? TimeProvider.System,
            });
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, InformerHostedService>());
        return new StreamListBuilder(services);
    }
}

/// <summary>Adds informers to the shared factory <see cref="StreamListServiceCollectionExtensions.AddStreamList"/> registered.</summary>
public sealed class StreamListBuilder
{
    internal StreamListBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection informers are added to.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers the shared <see cref="Informer{T}"/> for <typeparamref name="T"/> in <paramref name="namespace"/>
    /// (null: all namespaces) as a singleton; it is created and started with the host.
    /// </summary>
    public StreamListBuilder AddInformer<T>(string? @namespace = null, Func<InformerOptions<T>, InformerOptions<T>>? configure = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Services.TryAddSingleton(sp => sp.GetRequiredService<SharedInformerFactory>().GetInformer(@namespace, configure));
        Services.AddSingleton(new InformerRegistration(sp => sp.GetRequiredService<SharedInformerFactory>().GetInformer(@namespace, configure)));
        return this;
    }
}

/// <summary>One informer the hosted service creates before it starts the factory.</summary>
internal sealed record InformerRegistration(Func<IServiceProvider, object> Create);
