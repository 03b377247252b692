using k8s.Models;
using StreamList.Informers;

namespace ServiceDiscovery;

/// <summary>
/// The ready addresses of every Service, kept from EndpointSlice notifications (a Service's slices
/// carry the label <c>kubernetes.io/service-name</c>). <see cref="Changed"/> fires only when a
/// Service's ready set changes: scale-up, scale-down, a readiness flip. A slice update that leaves
/// the set as it was (a resourceVersion bump, a label, a not-ready endpoint coming and going)
/// says nothing. Notifications come one at a time on the informer's queue for this handler.
/// </summary>
public sealed class ReadyAddresses : IResourceEventHandler<V1EndpointSlice>
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private readonly object _lock = new();
    // service key (namespace/name) -> slice name -> that slice's ready addresses
    private readonly Dictionary<string, Dictionary<string, string[]>> _slices = [];
    private readonly Dictionary<string, SortedSet<string>> _ready = [];

    /// <summary>A Service's ready addresses changed: its key (<c>namespace/name</c>) and the new set (empty when none is left).</summary>
    public event Action<string, IReadOnlyList<string>>? Changed;

    /// <summary>The ready addresses of every Service that has any, by key.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Snapshot()
    {
        lock (_lock)
            return _ready.Where(kv => kv.Value.Count > 0).ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value]);
    }

    public ValueTask OnAddAsync(V1EndpointSlice obj, bool isInInitialList, CancellationToken cancellationToken) => Set(obj, ReadyOf(obj));

    public ValueTask OnUpdateAsync(V1EndpointSlice oldObj, V1EndpointSlice newObj, CancellationToken cancellationToken) => Set(newObj, ReadyOf(newObj));

    public ValueTask OnDeleteAsync(V1EndpointSlice obj, bool finalStateUnknown, CancellationToken cancellationToken) => Set(obj, null);

    private ValueTask Set(V1EndpointSlice slice, string[]? ready)
    {
        if (slice.Metadata?.Labels?.TryGetValue(ServiceNameLabel, out var service) != true || service is null)
            return ValueTask.CompletedTask;
        string key = $"{slice.Metadata.NamespaceProperty}/{service}";
        IReadOnlyList<string>? changed = null;
        lock (_lock)
        {
            if (!_slices.TryGetValue(key, out var slices))
                _slices[key] = slices = [];
            if (ready is null)
                slices.Remove(slice.Metadata.Name);
            else
                slices[slice.Metadata.Name] = ready;
            var now = new SortedSet<string>(slices.Values.SelectMany(a => a), StringComparer.Ordinal);
            var before = _ready.GetValueOrDefault(key);
            if (before is null ? now.Count > 0 : !before.SetEquals(now))
                changed = [.. now];
            _ready[key] = now;
            if (slices.Count == 0)
            {
                _slices.Remove(key);
                _ready.Remove(key);
            }
        }
        if (changed is not null)
            Changed?.Invoke(key, changed);
        return ValueTask.CompletedTask;
    }

    /// <summary>The addresses of a slice's endpoints that are ready (a missing condition counts as ready, as the API defines).</summary>
    private static string[] ReadyOf(V1EndpointSlice slice) =>
        [.. (slice.Endpoints ?? []).Where(e => e.Conditions?.Ready ?? true).SelectMany(e => e.Addresses ?? [])];
}
