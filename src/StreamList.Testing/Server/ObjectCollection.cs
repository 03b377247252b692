using System.Collections.Immutable;
using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using StreamList.Watching;

namespace StreamList.Testing.Server;

/// <summary>
/// The objects of one built-in kind a <see cref="FakeApiServer"/> serves beside its pods (nodes,
/// namespaces, endpoint slices, leases…), made with <see cref="FakeApiServer.Collection{T}"/>. Change
/// them from a test through this object or over HTTP (create, update, delete); lists and watches
/// see every change, as the pods' do.
/// </summary>
/// <remarks>
/// Contract: one lock orders changes; each gets the collection's next resourceVersion (collections
/// count their own versions; clients treat versions as opaque per resource), is kept in a bounded
/// history (<see cref="HistorySize"/> changes: a watch from an older version gets 410) and goes to
/// every open watch in order. Objects are copied on the way in and out, so a caller's object is never
/// shared with the server. Updates with a resourceVersion are optimistic: a stale one is a conflict
/// (<see cref="ObjectConflictException"/>, HTTP 409), as the apiserver answers.
/// </remarks>
public sealed class ObjectCollection<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Changes kept for watches that resume from a version.</summary>
    public const int HistorySize = 10_000;

    private readonly Lock _lock = new();
    private readonly Queue<CollectionChange<T>> _history = new();
    private readonly List<Channel<CollectionChange<T>>> _watchers = [];
    private ImmutableSortedDictionary<string, T> _objects = ImmutableSortedDictionary.Create<string, T>(StringComparer.Ordinal);
    private long _resourceVersion;
    private readonly ResourceVersionSignal _signal;
    private long _floor;
    private readonly TimeProvider _time;
    private long _uids;

    internal ObjectCollection(bool namespaced, long firstResourceVersion, TimeProvider time)
    {
        Namespaced = namespaced;
        _time = time;
        _resourceVersion = firstResourceVersion;
        _floor = firstResourceVersion;
        _signal = new ResourceVersionSignal(_lock, () => _resourceVersion);
        var entity = KubernetesEntityFor();
        ApiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
        Kind = entity.Kind;
        Plural = entity.PluralName;
    }

    /// <summary>The resource's plural name, e.g. <c>nodes</c>.</summary>
    internal string Plural { get; }

    /// <summary>True when objects live in namespaces (pods, leases); false for cluster-scoped kinds (nodes).</summary>
    public bool Namespaced { get; }

    /// <summary>The objects' apiVersion, e.g. <c>v1</c> or <c>discovery.k8s.io/v1</c>.</summary>
    public string ApiVersion { get; }

    /// <summary>The objects' kind, e.g. <c>Node</c>.</summary>
    public string Kind { get; }

    /// <summary>The resourceVersion of the newest change.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_lock)
                return _resourceVersion;
        }
    }

    /// <summary>Objects now.</summary>
    public int Count => _objects.Count;

    /// <summary>Copies of every object now, in key order.</summary>
    public IReadOnlyList<T> List() => [.. _objects.Values.Select(Copy)];

    /// <summary>A copy of the object named <paramref name="name"/> (in <paramref name="namespace"/>), or null.</summary>
    public T? Get(string? @namespace, string name) => _objects.TryGetValue(Key(@namespace, name), out var o) ? Copy(o) : null;

    /// <summary>Adds <paramref name="obj"/> (a uid and creationTimestamp are set when missing); returns the stored copy.</summary>
    /// <exception cref="ObjectConflictException">An object with that name exists (409 AlreadyExists).</exception>
    public T Create(T obj) => Change(obj, (existing, _) =>
    {
        if (existing is not null)
            throw new ObjectConflictException("AlreadyExists", $"{Kind.ToLowerInvariant()} \"{obj.Metadata.Name}\" already exists");
        return WatchEventKind.Added;
    });

    /// <summary>
    /// Replaces the object with <paramref name="obj"/>. When <paramref name="obj"/> carries a
    /// resourceVersion it must be the stored one (optimistic concurrency); returns the stored copy.
    /// </summary>
    /// <exception cref="ObjectConflictException">No such object (404 NotFound), or its resourceVersion moved on (409 Conflict).</exception>
    public T Update(T obj) => Change(obj, (existing, copy) =>
    {
        if (existing is null)
            throw new ObjectConflictException("NotFound", $"{Kind.ToLowerInvariant()} \"{copy.Metadata.Name}\" not found");
        string? expected = copy.Metadata.ResourceVersion;
        if (!string.IsNullOrEmpty(expected) && expected != existing.Metadata.ResourceVersion)
            throw new ObjectConflictException("Conflict", $"Operation cannot be fulfilled on {Kind.ToLowerInvariant()} \"{copy.Metadata.Name}\": the object has been modified; please apply your changes to the latest version and try again");
        copy.Metadata.Uid ??= existing.Metadata.Uid;
        copy.Metadata.CreationTimestamp ??= existing.Metadata.CreationTimestamp;
        return WatchEventKind.Modified;
    });

    /// <summary>Creates or replaces <paramref name="obj"/> whatever its resourceVersion; returns the stored copy.</summary>
    public T Upsert(T obj) => Change(obj, (existing, copy) =>
    {
        if (existing is null)
            return WatchEventKind.Added;
        copy.Metadata.Uid ??= existing.Metadata.Uid;
        copy.Metadata.CreationTimestamp ??= existing.Metadata.CreationTimestamp;
        return WatchEventKind.Modified;
    });

    /// <summary>Deletes the object; false when there was none.</summary>
    public bool Delete(string? @namespace, string name)
    {
        lock (_lock)
        {
            string key = Key(@namespace, name);
            if (!_objects.TryGetValue(key, out var existing))
                return false;
            var last = Copy(existing);
            last.Metadata.ResourceVersion = Rv(++_resourceVersion); // a DELETED event carries the deletion's version
            _objects = _objects.Remove(key);
            Publish(new CollectionChange<T>(WatchEventKind.Deleted, last, _resourceVersion));
            return true;
        }
    }

    /// <summary>Waits until the resourceVersion is at least <paramref name="resourceVersion"/>, at most <paramref name="timeout"/> on <paramref name="time"/>.</summary>
    internal Task<bool> WaitForAsync(long resourceVersion, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        return _signal.WaitForAsync(resourceVersion, timeout, time, cancellationToken);
    }

    /// <summary>The objects and version now, as one consistent snapshot (stored instances: read-only).</summary>
    internal (IReadOnlyList<T> Objects, long ResourceVersion) Snapshot()
    {
        lock (_lock)
            return ([.. _objects.Values], _resourceVersion);
    }

    /// <summary>
    /// Registers a watch. From <paramref name="after"/> it gets the retained changes after it, then
    /// live ones; without it (or with initial state) it gets the current objects as ADDED first.
    /// Null when <paramref name="after"/> is older than the history (410).
    /// </summary>
    internal WatchSubscription<T>? Subscribe(long? after, bool initialState)
    {
        lock (_lock)
        {
            List<CollectionChange<T>> first;
            long start;
            if (initialState || after is null)
            {
                first = [.. _objects.Values.Select(o => new CollectionChange<T>(WatchEventKind.Added, o, _resourceVersion))];
                start = _resourceVersion;
            }
            else
            {
                if (after < _floor)
                    return null;
                first = [.. _history.Where(c => c.ResourceVersion > after)];
                start = after.Value;
            }
            var channel = Channel.CreateUnbounded<CollectionChange<T>>(new UnboundedChannelOptions { SingleReader = true });
            _watchers.Add(channel);
            return new WatchSubscription<T>(first, start, _resourceVersion, channel.Reader, () => Unsubscribe(channel));
        }
    }

    /// <summary>The oldest version a watch can resume from.</summary>
    internal long Floor
    {
        get
        {
            lock (_lock)
                return _floor;
        }
    }

    private void Unsubscribe(Channel<CollectionChange<T>> channel)
    {
        lock (_lock)
            _watchers.Remove(channel);
        channel.Writer.TryComplete();
    }

    private T Change(T input, Func<T?, T, WatchEventKind> decide)
    {
        ArgumentNullException.ThrowIfNull(input);
        var obj = Copy(input);
        var meta = obj.Metadata ?? throw new ArgumentException("the object has no metadata", nameof(input));
        if (string.IsNullOrEmpty(meta.Name))
            throw new ArgumentException("the object has no metadata.name", nameof(input));
        if (Namespaced && string.IsNullOrEmpty(meta.NamespaceProperty))
            throw new ArgumentException($"{Kind} is namespaced: metadata.namespace is required", nameof(input));
        if (!Namespaced)
            meta.NamespaceProperty = null;
        lock (_lock)
        {
            string key = Key(meta.NamespaceProperty, meta.Name);
            _objects.TryGetValue(key, out var existing);
            var type = decide(existing, obj);
            meta.Uid ??= string.Create(CultureInfo.InvariantCulture, $"{Kind.ToLowerInvariant()}-{++_uids:x8}-0000-4000-8000-000000000000");
            meta.CreationTimestamp ??= _time.GetUtcNow().UtcDateTime;
            meta.ResourceVersion = Rv(++_resourceVersion);
            obj.ApiVersion = ApiVersion;
            obj.Kind = Kind;
            _objects = _objects.SetItem(key, obj);
            Publish(new CollectionChange<T>(type, obj, _resourceVersion));
            return Copy(obj);
        }
    }

    private void Publish(CollectionChange<T> change)
    {
        _history.Enqueue(change);
        while (_history.Count > HistorySize)
            _floor = _history.Dequeue().ResourceVersion;
        foreach (var watcher in _watchers)
            watcher.Writer.TryWrite(change);
        _signal.Moved();
    }

    private static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : ns + "/" + name;

    private static string Rv(long rv) => rv.ToString(CultureInfo.InvariantCulture);

    private static T Copy(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    private static KubernetesEntityAttribute KubernetesEntityFor() =>
        (KubernetesEntityAttribute?)Attribute.GetCustomAttribute(typeof(T), typeof(KubernetesEntityAttribute))
        ?? throw new ArgumentException($"{typeof(T).Name} has no KubernetesEntity attribute");
}

/// <summary>A change to an <see cref="ObjectCollection{T}"/>.</summary>
internal readonly record struct CollectionChange<T>(WatchEventKind Type, T Object, long ResourceVersion);

/// <summary>A registered watch: what it gets first, where it starts, and its live changes.</summary>
internal sealed record WatchSubscription<T>(IReadOnlyList<CollectionChange<T>> First, long Start, long Current,
    ChannelReader<CollectionChange<T>> Live, Action Unsubscribe);

/// <summary>A change an <see cref="ObjectCollection{T}"/> refused: the Status reason (<c>AlreadyExists</c>, <c>NotFound</c>, <c>Conflict</c>) and message.</summary>
public sealed class ObjectConflictException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ObjectConflictException(string reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>The Status reason the server answers with.</summary>
    public string Reason { get; }
}
