using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Sharding;
using StreamList.Testing.Server;
using StreamList.Tests.Support;

namespace StreamList.Tests.Sharding;

/// <summary>
/// Three replicas of a controller, each a <see cref="ShardGroup"/> and a sharded informer with its
/// own HTTP client, against the fake server's Leases and pods, on fake time for the group: joins
/// hand over within a renewal, a replica killed without releasing its Lease is replaced exactly when
/// its Lease expires, a replica that stops cleanly is replaced at the next renewal; after each change
/// the live replicas hold disjoint keys whose union is every pod.
/// </summary>
public class ShardGroupTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Members_split_the_pods_and_survivors_take_over_a_killed_members_range_when_its_lease_expires()
    {
        var time = NewTime();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 900, Seed = 8 });
        var leases = server.Collection<V1Lease>();
        await using var a = await Replica.StartAsync(server, "replica-a", time);
        time.Advance(TimeSpan.FromSeconds(1));
        await using var b = await Replica.StartAsync(server, "replica-b", time);
        time.Advance(TimeSpan.FromSeconds(1));
        await using var c = await Replica.StartAsync(server, "replica-c", time);
        var joined = time.GetUtcNow();
        Assert.Equal(["replica-a", "replica-b", "replica-c"], c.Group.Members);

        // Within one renewal period of the last join every member knows the others, and what left a
        // member's shard was dropped in the same step: no key is held twice.
        Replica[] all = [a, b, c];
        await AdvanceTo(time, joined + LeaseDuration / 3, all);
        Assert.All(all, r => Assert.Equal(3, r.Group.Members.Count));
        Assert.Equal([ShardSelector.Of(0, 3), ShardSelector.Of(1, 3), ShardSelector.Of(2, 3)], all.Select(r => r.Informer.ShardSelector!));
        AssertDisjoint(all);
        await UntilCovered(server, all);

        // b dies without releasing its Lease (its connection is cut); the others take over its range
        // exactly when the Lease expires: its last renewal plus the lease duration.
        b.Cut();
        var lastRenewal = new DateTimeOffset(leases.Get("ctl", "controllers-replica-b")!.Spec.RenewTime!.Value, TimeSpan.Zero);
        var expiry = lastRenewal + LeaseDuration;
        await AdvanceTo(time, expiry - TimeSpan.FromSeconds(1), [a, c]);
        Assert.All(new[] { a, c }, r => Assert.Equal(3, r.Group.Members.Count));
        await AdvanceTo(time, expiry, [a, c]);
        Assert.Equal([expiry, expiry], new[] { a.ChangedAt, c.ChangedAt });
        Assert.Equal([ShardSelector.Of(0, 2), ShardSelector.Of(1, 2)], new[] { a.Informer.ShardSelector!, c.Informer.ShardSelector! });
        // ... and hold every pod after one relist each, with no more fake time passing.
        await UntilCovered(server, [a, c]);
        await FakeTime.Until(() => a.Informer.Statistics.ListsCompleted >= 2 && c.Informer.Statistics.ListsCompleted >= 2); // counted when each relist ends
        // Joins only narrowed a's shard (watch restarted, no relist); b's death widened both.
        Assert.Equal([2, 2], new[] { a, c }.Select(r => r.Informer.Statistics.ListsCompleted));

        // c stops cleanly: its Lease is deleted and a takes everything at its next renewal.
        await c.DisposeAsync();
        Assert.Null(leases.Get("ctl", "controllers-replica-c"));
        await AdvanceTo(time, time.GetUtcNow() + LeaseDuration / 3, [a]);
        Assert.Equal(["replica-a"], a.Group.Members);
        await UntilCovered(server, [a]);
        Assert.Equal(0, a.Group.Conflicts);
        Assert.NotNull(leases.Get("ctl", "controllers-replica-b")); // the killed member's Lease stays until someone deletes it
    }

    [Fact]
    public async Task A_renewal_that_meets_a_newer_lease_reads_it_again_and_a_deleted_lease_is_created_again()
    {
        var time = NewTime();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1 });
        var leases = server.Collection<V1Lease>();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var group = Member(client, "one", time, settle: false);
        await group.StartAsync();

        // Someone else writes the Lease (a newer resourceVersion): the next renewal gets 409, reads, and renews.
        var lease = leases.Get("ctl", "g-one")!;
        lease.Metadata.Annotations = new Dictionary<string, string> { ["touched"] = "yes" };
        await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "g-one", "ctl");
        await AdvanceGroup(time, group, LeaseDuration / 3);
        Assert.Equal(1, group.Conflicts);
        Assert.Equal(2, group.Renewals);
        Assert.Equal(time.GetUtcNow().UtcDateTime, leases.Get("ctl", "g-one")!.Spec.RenewTime);

        // Deleted under it: created again.
        await client.CoordinationV1.DeleteNamespacedLeaseAsync("g-one", "ctl");
        await AdvanceGroup(time, group, LeaseDuration / 3);
        Assert.Equal(3, group.Renewals);
        Assert.Equal("one", leases.Get("ctl", "g-one")!.Spec.HolderIdentity);
        Assert.Equal(["one"], group.Members);
    }

    [Fact]
    public async Task Replicas_started_together_find_each_other_before_either_lists()
    {
        var time = NewTime();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1 });
        server.Collection<V1Lease>();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var a = Member(client, "a", time, settle: true);
        await using var b = Member(client, "b", time, settle: true);
        var startA = a.StartAsync();
        var startB = b.StartAsync();
        // Both hold their Leases and wait to settle (a may have seen only itself); then the settle time passes.
        await FakeTime.Until(() => a.NextCheck > time.GetUtcNow() && b.NextCheck > time.GetUtcNow());
        Assert.Equal((1, 1), (a.Renewals, b.Renewals));
        time.Advance(LeaseDuration / 3);
        await Task.WhenAll(startA, startB);
        Assert.Equal(["a", "b"], a.Members);
        Assert.Equal(["a", "b"], b.Members);
        Assert.Equal((ShardSelector.Of(0, 2), ShardSelector.Of(1, 2)), (a.Selector!, b.Selector!));
        Assert.Equal((0, 0), (a.MembershipChanges, b.MembershipChanges));
    }

    [Fact]
    public async Task A_subscriber_that_throws_does_not_keep_the_change_from_the_others()
    {
        var time = NewTime();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 1 });
        var leases = server.Collection<V1Lease>();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var group = Member(client, "one", time, settle: false);
        await group.StartAsync();
        var seen = new List<ShardSelector>();
        group.SelectorChanged += _ => throw new InvalidOperationException("a broken subscriber");
        group.SelectorChanged += seen.Add;

        leases.Create(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "g-two", NamespaceProperty = "ctl", Labels = new Dictionary<string, string> { [ShardGroup.GroupLabel] = "g" } },
            Spec = new V1LeaseSpec { HolderIdentity = "two", LeaseDurationSeconds = 15, RenewTime = time.GetUtcNow().UtcDateTime },
        });
        await AdvanceGroup(time, group, LeaseDuration / 3);
        Assert.Equal([ShardSelector.Of(0, 2)], seen);
        Assert.Equal(ShardSelector.Of(0, 2), group.Selector);
        Assert.Equal(1, group.MembershipChanges);
    }

    [Fact]
    public void Bad_options_are_argument_errors_before_any_request()
    {
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
        var good = new ShardGroupOptions { Group = "g", Namespace = "ns", Identity = "me" };
        Assert.Throws<ArgumentException>(() => new ShardGroup(client, good with { Identity = "" }));
        Assert.Throws<ArgumentException>(() => new ShardGroup(client, good with { Group = "" }));
        Assert.Throws<ArgumentException>(() => new ShardGroup(client, good with { LeaseDuration = TimeSpan.FromMilliseconds(10) }));
    }

    private static FakeTimeProvider NewTime() => new(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));

    /// <summary>A member of group "g" in namespace "ctl"; <paramref name="settle"/> keeps the default settle time, else none.</summary>
    private static ShardGroup Member(Kubernetes client, string identity, FakeTimeProvider time, bool settle) =>
        new(client, new ShardGroupOptions { Group = "g", Namespace = "ctl", Identity = identity, LeaseDuration = LeaseDuration, SettleTime = settle ? null : TimeSpan.Zero, Time = time });

    private static async Task AdvanceGroup(FakeTimeProvider time, ShardGroup group, TimeSpan by)
    {
        var until = time.GetUtcNow() + by;
        await AdvanceTo(time, until, [], group);
    }

    /// <summary>Moves fake time to <paramref name="until"/> one second at a time, letting every live group finish each due check.</summary>
    private static async Task AdvanceTo(FakeTimeProvider time, DateTimeOffset until, Replica[] replicas, ShardGroup? group = null)
    {
        var groups = replicas.Select(r => r.Group).Append(group).OfType<ShardGroup>().ToArray();
        while (true)
        {
            await FakeTime.Until(() => groups.All(g => g.NextCheck > time.GetUtcNow()));
            if (time.GetUtcNow() >= until)
                return;
            var step = TimeSpan.FromSeconds(1);
            time.Advance(until - time.GetUtcNow() < step ? until - time.GetUtcNow() : step);
        }
    }

    private static void AssertDisjoint(Replica[] replicas)
    {
        var keys = replicas.SelectMany(r => r.Informer.Store.ListKeys()).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    /// <summary>Waits (real time, fake time still) until the replicas hold disjoint keys whose union is every pod.</summary>
    private static Task UntilCovered(FakeApiServer server, Replica[] replicas)
    {
        var all = server.Population.Current.Enumerate().Select(s => ObjectKey.For(s.Pod.Metadata)).Order().ToArray();
        return FakeTime.Until(() =>
        {
            var held = replicas.SelectMany(r => r.Informer.Store.ListKeys()).Order().ToArray();
            return held.SequenceEqual(all);
        }, 60_000);
    }

    /// <summary>One controller replica: its own client (whose connection a test can cut), group and informer.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly CuttableHandler _network;
        private readonly Kubernetes _client;

        private Replica(CuttableHandler network, Kubernetes client, ShardGroup group, Informer<V1Pod> informer)
        {
            _network = network;
            _client = client;
            Group = group;
            Informer = informer;
        }

        public ShardGroup Group { get; }
        public Informer<V1Pod> Informer { get; }
        public DateTimeOffset? ChangedAt { get; private set; }

        public static async Task<Replica> StartAsync(FakeApiServer server, string identity, FakeTimeProvider time)
        {
            var network = new CuttableHandler();
            var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() }, network);
            var group = new ShardGroup(client, new ShardGroupOptions { Group = "controllers", Namespace = "ctl", Identity = identity, LeaseDuration = LeaseDuration, SettleTime = TimeSpan.Zero, Time = time });
            await group.StartAsync();
            var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod> { ShardSelector = group.Selector, RelistGate = new RelistGate() });
            var replica = new Replica(network, client, group, informer);
            group.SelectorChanged += s =>
            {
                replica.ChangedAt = time.GetUtcNow();
                informer.ChangeShardSelector(s);
            };
            informer.Start();
            Assert.True(await informer.WaitForSyncAsync(TimeSpan.FromSeconds(60)));
            return replica;
        }

        /// <summary>Every request from now on fails, as for a process that died.</summary>
        public void Cut() => _network.Cut = true;

        public async ValueTask DisposeAsync()
        {
            await Informer.DisposeAsync();
            await Group.DisposeAsync();
            _client.Dispose();
        }
    }

    private sealed class CuttableHandler : DelegatingHandler
    {
        public volatile bool Cut;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Cut ? throw new HttpRequestException("connection cut by the test", null, HttpStatusCode.ServiceUnavailable) : base.SendAsync(request, cancellationToken);
    }
}
