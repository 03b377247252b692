using StreamList.Informers;

namespace StreamList.Hosting;

/// <summary>
/// How <see cref="StreamListServiceCollectionExtensions.AddStreamList(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{StreamListHostingOptions}?)"/>
/// runs the process's informers; bindable from configuration (<c>services.Configure&lt;StreamListHostingOptions&gt;(section)</c>).
/// </summary>
public sealed class StreamListHostingOptions
{
    /// <summary>How caches hold objects, for every informer unless its own configuration says otherwise.</summary>
    public StoreMode StoreMode { get; set; } = StoreMode.Objects;

    /// <summary>Stream initial lists over watches where the server supports it.</summary>
    public bool UseWatchList { get; set; }

    /// <summary>
    /// How long the host's start waits for every informer to sync before it fails with
    /// <see cref="InformersNotSyncedException"/>; null: start without waiting (readiness then comes
    /// from the health check).
    /// </summary>
    public TimeSpan? SyncTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
