using System.IO.Pipelines;
using k8s;
using k8s.Models;
using StreamList.Http;
using StreamList.Tests.Support;
using StreamList.Watching;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Tests.Watching;

public class ProtobufWatchReaderTests
{
    private static byte[] Stream(params byte[][] frames) => frames.SelectMany(f => f).ToArray();

    private static async Task<List<WatchEvent<V1Pod>>> ReadAll(PipeReader reader, DecodeOptions? options = null)
    {
        var events = new List<WatchEvent<V1Pod>>();
        await foreach (var e in ProtobufWatchReader.ReadAsync<V1Pod>(reader, options ?? DecodeOptions.Default, CancellationToken.None))
            events.Add(e);
        return events;
    }

    private static byte[] Bookmark(string rv) => WatchEncoding.EncodeFrame("BOOKMARK", new V1Pod
    {
        Metadata = new V1ObjectMeta { ResourceVersion = rv, Annotations = new Dictionary<string, string> { ["k8s.io/initial-events-end"] = "true" } },
    });

    [Fact]
    public async Task Decodes_every_event_type_at_every_split_point()
    {
        var body = Stream(
            WatchEncoding.EncodeFrame("ADDED", SmallObjects.Pod(1)),
            WatchEncoding.EncodeFrame("MODIFIED", SmallObjects.Pod(2)),
            WatchEncoding.EncodeFrame("DELETED", SmallObjects.Pod(3)),
            Bookmark("4242"));
        string expected = Describe(await ReadAll(SplitPipe.From(body)));
        Assert.Contains("Added pod-1", expected, StringComparison.Ordinal);
        Assert.Contains("Bookmark  4242", expected, StringComparison.Ordinal);
        for (int cut = 0; cut <= body.Length; cut++)
            Assert.Equal(expected, Describe(await ReadAll(SplitPipe.From(body, cut))));
        Assert.Equal(expected, Describe(await ReadAll(SplitPipe.OneByteAtATime(body))));
    }

    private static string Describe(List<WatchEvent<V1Pod>> events) => string.Join("\n", events.Select(e =>
        $"{e.Type} {e.Object.Metadata.Name} {e.Object.Metadata.ResourceVersion} {KubernetesJson.Serialize(e.Object)}"));

    [Fact]
    public async Task An_error_event_throws_the_typed_status()
    {
        var status = new V1Status { Code = 410, Reason = "Expired", Message = "too old resource version: 1 (2)", Status = "Failure" };
        var body = Stream(WatchEncoding.EncodeFrame("ADDED", SmallObjects.Pod(1)), WatchEncoding.EncodeFrame("ERROR", status));
        var seen = new List<WatchEvent<V1Pod>>();
        var e = await Assert.ThrowsAsync<ResourceExpiredException>(async () =>
        {
            await foreach (var ev in ProtobufWatchReader.ReadAsync<V1Pod>(SplitPipe.From(body), DecodeOptions.Default, CancellationToken.None))
                seen.Add(ev);
        });
        Assert.Single(seen);
        Assert.Equal(410, e.Code);
    }

    [Fact]
    public async Task Every_truncation_inside_a_frame_fails()
    {
        var first = WatchEncoding.EncodeFrame("ADDED", SmallObjects.Pod(1));
        var body = Stream(first, WatchEncoding.EncodeFrame("MODIFIED", SmallObjects.Pod(2)));
        for (int length = 0; length < body.Length; length++)
        {
            if (length == 0 || length == first.Length)
            {
                // A stream closed between frames is a normal end of watch.
                var events = await ReadAll(SplitPipe.From(body.AsMemory(0, length)));
                Assert.Equal(length == 0 ? 0 : 1, events.Count);
                continue;
            }
            var e = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAll(SplitPipe.From(body.AsMemory(0, length))));
            Assert.Equal(WireErrorKind.Truncated, e.Kind);
        }
    }

    [Fact]
    public async Task A_frame_over_the_limit_fails_when_its_length_arrives()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0x01, 0x00, 0x00, 0x00 }); // 16 MiB frame declared, writer left open
        var e = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAll(pipe.Reader, DecodeOptions.Default with { MaxMessageBytes = 1 << 20 }));
        Assert.Equal(WireErrorKind.MessageTooLarge, e.Kind);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public async Task Unknown_event_type_is_a_wire_error()
    {
        var e = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAll(SplitPipe.From(WatchEncoding.EncodeFrame("EXPLODED", SmallObjects.Pod(1)))));
        Assert.Equal(WireErrorKind.InvalidValue, e.Kind);
    }
}
