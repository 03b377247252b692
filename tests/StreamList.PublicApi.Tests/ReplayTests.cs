using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using k8s.Models;
using StreamList.Testing;
using StreamList.Diagnostics;
using StreamList.Informers;
using StreamList.Listing;
using StreamList.Memory;
using StreamList.Testing.Fixture;
using StreamList.Watching;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.PublicApi.Tests;

/// <summary>
/// A list and a watch replayed from recorded bodies, written with the public wire writers
/// (<see cref="ListEncoding"/>, <see cref="WatchEncoding"/>) and read back with the public body
/// readers (<see cref="ListBody"/>, <see cref="WatchBody"/>): an informer fed from a recording ends
/// where the recording ends.
/// </summary>
public class ReplayTests
{
    [Fact]
    public async Task An_informer_replays_a_recorded_list_and_watch()
    {
        var pods = Enumerable.Range(0, 50).Select(i => PodFixture.Create(2, i)).ToList();
        byte[] listBody = RecordList(pods, resourceVersion: "1000049");
        var changed = PodFixture.Modify(pods[7], 1_000_050);
        var deleted = PodFixture.Copy(pods[8]);
        deleted.Metadata.ResourceVersion = "1000051"; // a DELETED event carries the deletion's version
        byte[] watchBody = [.. WatchEncoding.EncodeFrame("MODIFIED", changed), .. WatchEncoding.EncodeFrame("DELETED", deleted)];
        int watches = 0;

        var replay = new ListWatch<V1Pod>(
            (request, progress, ct) => ListBody.ReadAsync<V1Pod>(PipeReader.Create(new ReadOnlySequence<byte>(listBody)), "application/vnd.kubernetes.protobuf", progress, cancellationToken: ct),
            (request, ct) => Replay(Interlocked.Increment(ref watches) == 1 ? watchBody : [], ct));
        await using var informer = new Informer<V1Pod>(replay, new InformerOptions<V1Pod> { RelistGate = new RelistGate() });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync(TimeSpan.FromSeconds(60)));
        var guard = DateTime.UtcNow.AddSeconds(60);
        while (informer.LastSyncResourceVersion != "1000051" && DateTime.UtcNow < guard)
            await Task.Delay(5);

        Assert.Equal("1000051", informer.LastSyncResourceVersion);
        var expected = pods.Where((_, i) => i != 8).Select(p => p == pods[7] ? changed : p);
        Assert.Equal(KeysSha256.Compute(expected), KeysSha256.Compute(informer.Store.List()));
    }

    private static byte[] RecordList(IReadOnlyList<V1Pod> pods, string resourceVersion)
    {
        var items = pods.Select(ListEncoding.EncodeMessage).ToList();
        var body = new ArrayBufferWriter<byte>();
        ListEncoding.WritePrefix(body, "v1", "PodList", new V1ListMeta { ResourceVersion = resourceVersion }, items.Sum(m => ListEncoding.ItemFieldSize(m.Length)));
        foreach (var item in items)
            ListEncoding.WriteItem(body, item);
        body.Write(ListEncoding.Suffix);
        return body.WrittenSpan.ToArray();
    }

    /// <summary>A recorded watch body, then quiet until cancelled, as a watch with no news.</summary>
    private static async IAsyncEnumerable<WatchEvent<V1Pod>> Replay(byte[] body, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in WatchBody.ReadAsync<V1Pod>(PipeReader.Create(new ReadOnlySequence<byte>(body)), "application/vnd.kubernetes.protobuf;stream=watch", cancellationToken: ct))
            yield return e;
        await Task.Delay(Timeout.Infinite, ct);
    }
}
