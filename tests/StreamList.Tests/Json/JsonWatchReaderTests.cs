using System.IO.Pipelines;
using k8s.Models;
using StreamList.Http;
using StreamList.Json;
using StreamList.Tests.Support;
using StreamList.Watching;
using StreamList.Wire;
using static StreamList.Tests.Json.JsonTestData;
using StreamList.Codec;

namespace StreamList.Tests.Json;

public class JsonWatchReaderTests
{
    private static readonly string Expected = Describe(WatchEvents());

    private static Task<List<WatchEvent<V1Pod>>> ReadAsync(string stream, DecodeOptions? options = null) =>
        ReadWatchAsync(SplitPipe.From(Utf8(stream)), options);

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("")]
    [InlineData("\n\n  \t\r\n")]
    public async Task Reads_every_event_type_whatever_separates_the_events(string separator)
    {
        var events = await ReadAsync(WatchJson(separator));

        Assert.Equal(Expected, Describe(events));
        Assert.Equal(
            [WatchEventKind.Added, WatchEventKind.Modified, WatchEventKind.Deleted, WatchEventKind.Bookmark],
            events.Select(e => e.Type));
        var bookmark = events[^1].Object;
        Assert.Equal("5000", bookmark.Metadata.ResourceVersion);
        Assert.Equal("true", bookmark.Metadata.Annotations["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task Accepts_properties_in_any_order_and_skips_unknown_ones()
    {
        string stream = "{\"object\":" + Serialize(Pod(7)) + ",\"extra\":[{\"type\":\"DELETED\"}],\"type\":\"MODIFIED\"}\n";

        var e = Assert.Single(await ReadAsync(stream));

        Assert.Equal(WatchEventKind.Modified, e.Type);
        Assert.Equal(Serialize(Pod(7)), Serialize(e.Object));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\n")]
    public async Task An_empty_stream_simply_completes(string stream) =>
        Assert.Empty(await ReadAsync(stream));

    [Fact]
    public async Task Yields_each_event_as_soon_as_its_bytes_are_complete()
    {
        var pipe = new Pipe();
        await using var events = JsonWatchReader.ReadAsync<V1Pod>(pipe.Reader, DecodeOptions.Default, CancellationToken.None).GetAsyncEnumerator();

        // No newline yet: the closing brace alone ends the event.
        await pipe.Writer.WriteAsync(Utf8(EventJson("ADDED", Pod(0))));
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(WatchEventKind.Added, events.Current.Type);

        await pipe.Writer.WriteAsync(Utf8("\n" + EventJson("DELETED", Pod(0)) + "\n"));
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(WatchEventKind.Deleted, events.Current.Type);

        await pipe.Writer.CompleteAsync();
        Assert.False(await events.MoveNextAsync());
    }

    [Fact]
    public async Task An_expired_watch_throws_ResourceExpired_after_the_events_before_it()
    {
        string stream = EventJson("ADDED", Pod(0)) + "\n" + EventJson("MODIFIED", Pod(1)) + "\n"
            + "{\"type\":\"ERROR\",\"object\":" + StatusJson(410, "Expired", "too old resource version: 100 (200)") + "}\n";
        var seen = new List<WatchEvent<V1Pod>>();

        var error = await Assert.ThrowsAsync<ResourceExpiredException>(() => ReadWatchAsync(SplitPipe.From(Utf8(stream)), into: seen));

        Assert.Equal(410, error.Code);
        Assert.Equal("Expired", error.Reason);
        Assert.Equal("too old resource version: 100 (200)", error.Status.Message);
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task Any_other_error_event_throws_the_general_status_exception()
    {
        string stream = "{\"type\":\"ERROR\",\"object\":" + StatusJson(500, "InternalError", "etcd is unhappy") + "}\n";

        var error = await Assert.ThrowsAsync<KubernetesStatusException>(() => ReadAsync(stream));

        Assert.Equal(typeof(KubernetesStatusException), error.GetType());
        Assert.Equal(500, error.Code);
    }

    [Theory]
    [InlineData("{\"type\":\"SYNC\",\"object\":{}}", 8, "type")]
    [InlineData("{\"type\":\"added\",\"object\":{}}", 8, "type")]
    [InlineData("{\"type\":3,\"object\":{}}", 8, "type")]
    [InlineData("{\"object\":{}}", 0, "type")]
    [InlineData("{\"type\":\"ADDED\"}", 0, "object")]
    [InlineData("{\"type\":\"ADDED\",\"object\":null}", 25, "object")]
    [InlineData("[{\"type\":\"ADDED\",\"object\":{}}]", 0, "")]
    [InlineData("\n\"ADDED\"", 1, "")]
    [InlineData("{\"type\":\"ADDED\",\"object\":{},}", 28, "")]
    [InlineData("{\"type\":\"ADDED\",\"object\":{}}\nx", 29, "")]
    public async Task A_malformed_event_is_invalid_json(string stream, long offset, string path)
    {
        var error = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAsync(stream));

        Assert.Equal(WireErrorKind.InvalidJson, error.Kind);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(path, error.FieldPath);
    }

    [Fact]
    public async Task Offsets_count_from_the_start_of_the_stream()
    {
        string first = EventJson("ADDED", Pod(0)) + "\r\n";
        string stream = first + "{\"type\":\"UPSERT\",\"object\":{}}\n";

        var error = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAsync(stream));

        Assert.Equal(Utf8(first).Length + 8, error.Offset);
    }

    [Fact]
    public async Task An_object_that_does_not_fit_its_type_names_the_field()
    {
        var error = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAsync("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":[]}}}"));

        Assert.Equal(WireErrorKind.InvalidValue, error.Kind);
        Assert.Equal("object.metadata.name", error.FieldPath);
    }

    [Fact]
    public async Task Nesting_past_the_depth_limit_is_too_deep()
    {
        var options = new DecodeOptions { MaxDepth = 2 };
        Assert.Single(await ReadAsync("{\"type\":\"ADDED\",\"object\":{\"a\":{}}}", options));

        var error = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAsync("{\"type\":\"ADDED\",\"object\":{\"a\":{\"b\":[]}}}", options));

        Assert.Equal(WireErrorKind.TooDeep, error.Kind);
        Assert.Equal(35, error.Offset);
    }

    [Fact]
    public async Task Every_split_point_decodes_the_same()
    {
        byte[] stream = Utf8(WatchJson("\r\n"));

        for (int cut = 1; cut < stream.Length; cut++)
        {
            var events = await ReadWatchAsync(SplitPipe.From(stream, cut));
            Assert.True(Expected == Describe(events), $"events differ when split at {cut}");
        }
        Assert.Equal(Expected, Describe(await ReadWatchAsync(SplitPipe.OneByteAtATime(stream))));
        Assert.Equal(Expected, Describe(await ReadWatchAsync(new SteppedPipeReader(stream, window: 1, segmentSize: 1))));
        Assert.Equal(Expected, Describe(await ReadWatchAsync(new SteppedPipeReader(Utf8(WatchJson("")), window: 3, segmentSize: 5))));
    }

    [Fact]
    public async Task Every_truncation_point_ends_cleanly_between_events_and_is_truncated_inside_one()
    {
        string text = WatchJson("\r\n");
        byte[] stream = Utf8(text);
        var ends = new List<int>(); // byte offset just past each event's closing brace
        int at = 0;
        foreach (var e in WatchEvents())
        {
            at += Utf8(EventJson(e.Type.ToString().ToUpperInvariant(), e.Object)).Length;
            ends.Add(at);
            at += 2;
        }

        for (int k = 0; k < stream.Length; k++)
        {
            int complete = ends.Count(end => end <= k);
            int eventStart = complete == 0 ? 0 : ends[complete - 1] + 2;
            var seen = new List<WatchEvent<V1Pod>>();
            var reader = SplitPipe.From(stream.AsMemory(0, k), k / 2);
            if (k <= eventStart)
            {
                await ReadWatchAsync(reader, into: seen);
            }
            else
            {
                var error = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadWatchAsync(reader, into: seen));
                Assert.True(error.Kind == WireErrorKind.Truncated, $"cut at {k}: {error.Message}");
                Assert.Equal(k, error.Offset);
            }
            Assert.True(complete == seen.Count, $"cut at {k}: {seen.Count} events, expected {complete}");
        }
    }

    [Fact]
    public async Task A_frame_over_the_size_limit_throws_before_more_is_buffered()
    {
        const int limit = 2_000, window = 100;
        string first = EventJson("ADDED", Pod(0)) + "\n";
        string stream = first + EventJson("MODIFIED", Pod(1, note: new string('x', 20 * limit))) + "\n" + EventJson("DELETED", Pod(2)) + "\n";
        var reader = new SteppedPipeReader(Utf8(stream), window, segmentSize: 16);
        var seen = new List<WatchEvent<V1Pod>>();

        var error = await Assert.ThrowsAsync<KubernetesWireException>(
            () => ReadWatchAsync(reader, new DecodeOptions { MaxMessageBytes = limit }, seen));

        Assert.Equal(WireErrorKind.MessageTooLarge, error.Kind);
        Assert.Equal(Utf8(first).Length, error.Offset);
        Assert.Single(seen);
        Assert.InRange(reader.MaxBuffered, limit + 1, limit + window);
        Assert.True(reader.Delivered < Utf8(first).Length + limit + 2 * window);
    }

    [Fact]
    public async Task A_frame_over_the_size_limit_throws_when_it_arrives_in_one_read()
    {
        string stream = EventJson("ADDED", Pod(0, note: new string('x', 3_000)));

        var error = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadAsync(stream, new DecodeOptions { MaxMessageBytes = 2_000 }));

        Assert.Equal(WireErrorKind.MessageTooLarge, error.Kind);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public async Task Holds_at_most_one_event_and_a_read_window_however_long_the_stream()
    {
        string stream = string.Concat(Enumerable.Range(0, 40).Select(i => EventJson("MODIFIED", Pod(i)) + "\n"));
        int largest = Enumerable.Range(0, 40).Max(i => Utf8(EventJson("MODIFIED", Pod(i))).Length);
        var reader = new SteppedPipeReader(Utf8(stream), window: 100, segmentSize: 16);

        var events = await ReadWatchAsync(reader);

        Assert.Equal(40, events.Count);
        Assert.InRange(reader.MaxBuffered, 1, largest + 100);
    }

    [Fact]
    public async Task A_writer_completed_with_an_exception_propagates_it()
    {
        byte[] stream = Utf8(WatchJson());
        foreach (int end in new[] { 0, stream.Length / 2, stream.Length })
        {
            var reset = new IOException("connection reset by peer");

            var thrown = await Assert.ThrowsAsync<IOException>(() => ReadWatchAsync(SplitPipe.From(stream.AsMemory(0, end), [end / 3], reset)));

            Assert.Same(reset, thrown);
        }
    }
}
