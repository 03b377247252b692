using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamList.Diagnostics;

namespace StreamList.Sharding;

/// <summary>
/// Membership of a shard group through Leases (coordination.k8s.io/v1): each replica holds its own
/// Lease, labelled <see cref="GroupLabel"/>=<c>group</c>, renewed every third of its duration; the
/// members are the replicas whose Leases have not expired (renewTime + leaseDurationSeconds), and each
/// member's <see cref="ShardSelector"/> follows from the member set (<see cref="ShardAssignment"/>).
///
/// Contract: <see cref="StartAsync"/> returns once the Lease is held and <see cref="Selector"/> is
/// known, so an informer can start with its shard and never list the whole collection. After that a
/// background loop renews, re-reads the group, and wakes exactly when another member's Lease
/// expires, so a dead member's range is taken over one lease duration after its last renewal at the
/// latest. <see cref="SelectorChanged"/> is raised on that loop when this member's range changes.
/// Updates use optimistic concurrency (409: read again and retry). <see cref="StopAsync"/> deletes
/// the Lease, so the others take over at their next renewal instead of waiting for expiry.
/// Expiry is judged from the holder's renewTime: replicas' clocks are assumed to agree to well
/// within a lease duration (as for node Leases).
/// </summary>
public sealed class ShardGroup : IAsyncDisposable
{
    /// <summary>The label every member's Lease carries, with the group's name as value.</summary>
    public const string GroupLabel = "streamlist.dev/shard-group";

    private readonly IKubernetes _client;
    private readonly ShardGroupOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private V1Lease? _lease;
    private volatile ShardSelector? _selector;
    private volatile string[] _members = [];
    private CancellationTokenSource? _stop;
    private Task? _run;
    private bool _stopped;
    private volatile bool _started;
    private long _nextCheck = long.MinValue;
    private long _renewals;
    private long _conflicts;
    private long _changes;

    /// <summary>A member of <see cref="ShardGroupOptions.Group"/>; nothing is sent before <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">An empty group, namespace or identity, or a lease duration under a second.</exception>
    public ShardGroup(IKubernetes client, ShardGroupOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Group, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.Namespace, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.Identity, nameof(options));
        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
            throw new ArgumentException($"the lease duration must be at least 1 s, not {options.LeaseDuration}", nameof(options));
        _client = client;
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("StreamList.ShardGroup");
    }

    /// <summary>The name of this member's Lease: <c>{group}-{identity}</c>.</summary>
    public string LeaseName => _options.Group + "-" + _options.Identity;

    /// <summary>This member's shard; null before <see cref="StartAsync"/> returned.</summary>
    public ShardSelector? Selector => _selector;

    /// <summary>The live members' identities in assignment order, as last read.</summary>
    public IReadOnlyList<string> Members => _members;

    /// <summary>When the group next renews its Lease and re-reads the members (a renewal period ahead, or sooner when another member's Lease expires first).</summary>
    public DateTimeOffset NextCheck
    {
        get
        {
            long ticks = Interlocked.Read(ref _nextCheck);
            return ticks == long.MinValue ? DateTimeOffset.MinValue : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Successful renewals (the first one creates the Lease).</summary>
    public long Renewals => Interlocked.Read(ref _renewals);

    /// <summary>Renewals that met a newer version of the Lease (409) and read it again.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Times the member set changed after <see cref="StartAsync"/> returned.</summary>
    public long MembershipChanges => Interlocked.Read(ref _changes);

    /// <summary>Raised on the group's loop with this member's new shard when the member set changes it (e.g. <c>informer.ChangeShardSelector</c>).</summary>
    public event Action<ShardSelector>? SelectorChanged;

    /// <summary>
    /// Takes (or renews) this member's Lease, reads the group (twice, <see cref="ShardGroupOptions.SettleTime"/>
    /// apart), and starts renewing in the background.
    /// </summary>
    /// <exception cref="HttpOperationException">The apiserver refused the Lease or the list.</exception>
    /// <exception cref="InvalidOperationException">Already started, or stopped.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_stop is not null || _stopped)
                throw new InvalidOperationException("the shard group was already started");
            _stop = new CancellationTokenSource();
        }
        var next = await TickAsync(cancellationToken).ConfigureAwait(false);
        var settle = _options.SettleTime ?? RenewEvery;
        if (settle > TimeSpan.Zero)
        {
            var due = _options.Time.GetUtcNow() + settle;
            Interlocked.Exchange(ref _nextCheck, due.UtcTicks);
            await WaitUntilAsync(due, cancellationToken).ConfigureAwait(false);
            next = await TickAsync(cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Exchange(ref _nextCheck, next.UtcTicks);
        _started = true; // from here on a change of members is a change (and raises SelectorChanged)
        var stop = _stop.Token;
        lock (_gate)
            _run = Task.Run(() => LoopAsync(next, stop), CancellationToken.None);
    }

    /// <summary>Stops renewing and deletes this member's Lease (the others take over its range at their next renewal).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task? run;
        lock (_gate)
        {
            if (_stopped)
                return;
            _stopped = true;
            _stop?.Cancel();
            run = _run;
        }
        if (run is not null)
            await run.ConfigureAwait(false);
        if (_lease is null)
            return;
        try
        {
            await _client.CoordinationV1.DeleteNamespacedLeaseAsync(LeaseName, _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            ShardGroupLog.Left(_logger, _options.Group, _options.Identity);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ShardGroupLog.LeaveFailed(_logger, _options.Group, _options.Identity, e.Message, e); // it expires on its own
        }
    }

    /// <summary>Stops (<see cref="StopAsync"/>) and releases the group.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop?.Dispose();
    }

    private TimeSpan RenewEvery => _options.LeaseDuration / 3;

    private async Task LoopAsync(DateTimeOffset next, CancellationToken cancellationToken)
    {
        var time = _options.Time;
        while (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _nextCheck, next.UtcTicks);
            try
            {
                await WaitUntilAsync(next, cancellationToken).ConfigureAwait(false);
                next = await TickAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ShardGroupLog.RenewFailed(_logger, _options.Group, _options.Identity, e.Message, e);
                next = time.GetUtcNow() + RenewEvery / 2;
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="due"/> on the group's clock. A timer is relative to the time it is
    /// made at; when the clock moved between reading it and making the timer (a test's fake clock
    /// advanced in between), the timer would fire late by that much, so it is made again.
    /// </summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken cancellationToken)
    {
        var time = _options.Time;
        while (true)
        {
            var now = time.GetUtcNow();
            if (due <= now)
                return;
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(due - now, time, timer.Token);
            if (time.GetUtcNow() - now > TimeSpan.FromMilliseconds(1))
            {
                timer.Cancel();
                continue;
            }
            await delay.ConfigureAwait(false);
        }
    }

    /// <summary>One round: renew, read the group, update the selector; returns when to run the next one.</summary>
    private async Task<DateTimeOffset> TickAsync(CancellationToken cancellationToken)
    {
        await RenewAsync(cancellationToken).ConfigureAwait(false);
        var leases = await _client.CoordinationV1.ListNamespacedLeaseAsync(_options.Namespace,
            labelSelector: GroupLabel + "=" + _options.Group, cancellationToken: cancellationToken).ConfigureAwait(false);
        var now = _options.Time.GetUtcNow();
        var next = now + RenewEvery;
        var live = new List<string> { _options.Identity };
        foreach (var lease in leases.Items)
        {
            string? holder = lease.Spec?.HolderIdentity;
            if (string.IsNullOrEmpty(holder) || holder == _options.Identity || ExpiresAt(lease) is not { } expiry || expiry <= now)
                continue;
            live.Add(holder);
            if (expiry < next)
                next = expiry; // wake when it expires: its range is taken over then, not a renewal later
        }
        Update(ShardAssignment.Sorted(live));
        return next;
    }

    private void Update(string[] members)
    {
        var old = _members;
        if (old.AsSpan().SequenceEqual(members))
            return;
        _members = members;
        var selector = ShardAssignment.For(members, _options.Identity, _options.Field);
        var previous = _selector;
        _selector = selector;
        ShardGroupLog.Membership(_logger, _options.Group, _options.Identity, Array.IndexOf(members, _options.Identity), members.Length, string.Join(",", members), selector.ToString());
        if (!_started)
            return;
        Interlocked.Increment(ref _changes);
        if (selector.Equals(previous) || SelectorChanged is not { } changed)
            return;
        foreach (var handler in changed.GetInvocationList().Cast<Action<ShardSelector>>())
        {
            try
            {
                handler(selector);
            }
            catch (Exception e)
            {
                // Not a renewal failure: the members were read; one subscriber's failure must not stop the others or the loop.
                ShardGroupLog.SubscriberFailed(_logger, _options.Group, _options.Identity, e.Message, e);
            }
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var leases = _client.CoordinationV1;
        if (_lease is null)
        {
            try
            {
                _lease = await leases.CreateNamespacedLeaseAsync(NewLease(), _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _renewals);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Ours from an earlier run of this identity: take it over.
                _lease = await leases.ReadNamespacedLeaseAsync(LeaseName, _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        for (int attempt = 0; ; attempt++)
        {
            Stamp(_lease);
            try
            {
                _lease = await leases.ReplaceNamespacedLeaseAsync(_lease, LeaseName, _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _renewals);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt == 0)
            {
                Interlocked.Increment(ref _conflicts);
                ShardGroupLog.Conflict(_logger, _options.Group, _options.Identity);
                _lease = await leases.ReadNamespacedLeaseAsync(LeaseName, _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                _lease = await leases.CreateNamespacedLeaseAsync(NewLease(), _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _renewals);
                return;
            }
        }
    }

    private V1Lease NewLease()
    {
        var lease = new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta
            {
                Name = LeaseName,
                NamespaceProperty = _options.Namespace,
                Labels = new Dictionary<string, string> { [GroupLabel] = _options.Group },
            },
            Spec = new V1LeaseSpec { AcquireTime = _options.Time.GetUtcNow().UtcDateTime },
        };
        Stamp(lease);
        return lease;
    }

    private void Stamp(V1Lease lease)
    {
        lease.Spec ??= new V1LeaseSpec();
        lease.Spec.HolderIdentity = _options.Identity;
        lease.Spec.LeaseDurationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds);
        lease.Spec.RenewTime = _options.Time.GetUtcNow().UtcDateTime;
    }

    private static DateTimeOffset? ExpiresAt(V1Lease lease)
    {
        if (lease.Spec?.RenewTime is not { } renewed || lease.Spec.LeaseDurationSeconds is not { } seconds)
            return null;
        var utc = renewed.Kind switch
        {
            DateTimeKind.Local => renewed.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(renewed, DateTimeKind.Utc),
            _ => renewed,
        };
        return new DateTimeOffset(utc, TimeSpan.Zero) + TimeSpan.FromSeconds(seconds);
    }
}
