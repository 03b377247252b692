using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Testing.Server;
using StreamList.Tests.Support;

namespace StreamList.Tests.Integration;

/// <summary>
/// An etcd restore against the strict fake server: the revision goes back below the informer's last
/// seen resourceVersion. The informer's next relist at that version gets 504 ResourceVersionTooLarge
/// once the server's 3 s freshness wait (server clock) ran out, and it comes back with a consistent
/// read at "" (client-go's isTooLargeResourceVersionError path) to the restored state; nothing is sent
/// to etcd at an exact version.
/// </summary>
public class EtcdRestoreTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_restore_a_relist_at_the_lost_version_gets_TooLarge_and_comes_back_with_a_consistent_read(bool watchList)
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = 400, Seed = 3, TimeProvider = time });
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(), new InformerOptions<V1Pod>
        {
            UseWatchList = watchList,
            RelistGate = new RelistGate(),
            Backoff = new Backoff { Initial = TimeSpan.FromMilliseconds(10), Cap = TimeSpan.FromMilliseconds(50) },
        });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        long backup = server.Population.ResourceVersion;
        server.ApplyChurn(10, 1);
        string lost = server.Population.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await FakeTime.Until(() => informer.LastSyncResourceVersion == lost, timeoutMs: 60_000);

        // The restore ends the informer's watch; its watch at the lost version then gets 410, so it relists from there.
        server.Faults = FaultPlan.None with { ExpiredWatches = 1 };
        server.RestoreEtcd(backup);
        var restored = server.GetState();
        await time.AdvanceUntil(() => KeysSha256.Compute(informer.Store.List()) == restored.KeysSha256 && informer.LastSyncResourceVersion == restored.ResourceVersion,
            TimeSpan.FromMilliseconds(250));

        Assert.Equal(restored.Count, informer.Store.Count);
        var requests = server.Requests;
        int refused = requests.ToList().FindIndex(r => r.Query.Contains("resourceVersion=" + lost, StringComparison.Ordinal) && IsRelist(r, watchList));
        Assert.True(refused >= 0, "no relist at the lost version: " + string.Join(" ", requests.Select(r => r.Query)));
        // Then a consistent read: a list at "", or a WatchList without a resourceVersion (still open, so counted, not yet recorded).
        if (watchList)
            Assert.Equal(3, server.CountRequests(RequestKind.WatchList)); // the first sync, the refused one, the one at ""
        else
            Assert.Contains(requests.Skip(refused + 1), r => IsRelist(r, watchList, atEmpty: true));
        Assert.Equal(0, server.CountRequests(RequestKind.ExactList));
    }

    /// <summary>A relist request: a WatchList, or a list answered 504 (or, <paramref name="atEmpty"/>, one at "" answered 200).</summary>
    private static bool IsRelist(RecordedRequest r, bool watchList, bool atEmpty = false)
    {
        bool empty = !r.Query.Contains("resourceVersion=", StringComparison.Ordinal) || r.Query.Contains("resourceVersion=&", StringComparison.Ordinal)
            || r.Query.EndsWith("resourceVersion=", StringComparison.Ordinal);
        if (watchList)
            return r.Query.Contains("sendInitialEvents=true", StringComparison.Ordinal);
        return !r.Query.Contains("watch=", StringComparison.Ordinal) && (atEmpty ? empty && r.StatusCode == 200 : r.StatusCode == 504);
    }
}
