using System.IO.Pipelines;
using k8s;
using k8s.Models;
using StreamList.Http;
using StreamList.Json;
using StreamList.Listing;
using StreamList.Tests.Support;
using StreamList.Wire;
using static StreamList.Tests.Json.JsonTestData;
using StreamList.Codec;

namespace StreamList.Tests.Json;

public class JsonListReaderTests
{
    private static async Task<(List<V1Pod> Items, ListProgress Progress)> ReadAsync(string body, DecodeOptions? options = null)
    {
        var progress = new ListProgress();
        var items = await ReadListAsync(SplitPipe.From(Utf8(body)), progress, options);
        return (items, progress);
    }

    private static async Task<(KubernetesWireException Error, ListProgress Progress)> FailAsync(string body, DecodeOptions? options = null)
    {
        var progress = new ListProgress();
        var error = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadListAsync(SplitPipe.From(Utf8(body)), progress, options));
        Assert.False(progress.Complete);
        return (error, progress);
    }

    private static void AssertMetadata(ListProgress progress)
    {
        Assert.NotNull(progress.Metadata);
        Assert.Equal("4242", progress.Metadata.ResourceVersion);
        Assert.Equal(17, progress.Metadata.RemainingItemCount);
        Assert.Equal(KubernetesJson.Deserialize<V1ListMeta>(ListMetadata).ContinueProperty, progress.Metadata.ContinueProperty);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_items_and_metadata_whichever_comes_first(bool metadataFirst)
    {
        var pods = Pods(3);
        string body = ListJson(pods, metadataFirst);

        var (items, progress) = await ReadAsync(body);

        Assert.Equal(SerializeAll(pods), SerializeAll(items));
        AssertMetadata(progress);
        Assert.True(progress.Complete);
        Assert.Equal(3, progress.Items);
        Assert.Equal(Utf8(body).Length, progress.Bytes);
    }

    [Fact]
    public async Task Decodes_exactly_as_KubernetesClient_does()
    {
        string body = ListJson(Pods(2));
        var expected = KubernetesJson.Deserialize<V1PodList>(body);

        var (items, _) = await ReadAsync(body);

        Assert.Equal(SerializeAll(expected.Items), SerializeAll(items));
    }

    [Theory]
    [InlineData("""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}""")]
    [InlineData("""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":null}""")]
    [InlineData("""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"}}""")]
    [InlineData(" \r\n\t{ \"items\" : [ ] ,\n \"metadata\" : { \"resourceVersion\" : \"7\" } }\r\n ")]
    public async Task Reads_an_empty_list(string body)
    {
        var (items, progress) = await ReadAsync(body);

        Assert.Empty(items);
        Assert.True(progress.Complete);
        Assert.Equal("7", progress.Metadata?.ResourceVersion);
        Assert.Equal(0, progress.Items);
    }

    [Fact]
    public async Task Tolerates_whitespace_everywhere()
    {
        var pods = Pods(3);
        string pretty = System.Text.Json.Nodes.JsonNode.Parse(ListJson(pods))!
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })
            .Replace("\n", "\r\n  \t", StringComparison.Ordinal);

        var (items, progress) = await ReadAsync("\n " + pretty + " \r\n\n");

        Assert.Equal(SerializeAll(pods), SerializeAll(items));
        AssertMetadata(progress);
        Assert.True(progress.Complete);
    }

    [Fact]
    public async Task Skips_unknown_top_level_properties_of_every_shape()
    {
        var pods = Pods(2);
        string extra = """
            "unknownObject":{"items":[{"x":"]}"}],"metadata":{"resourceVersion":"wrong"}},
            "unknownArray":[[["{"]],{"a":[1,2,{"b":null}]},"]"],
            "unknownString":"\"items\":[",
            "unknownNumber":-12.5e3,"unknownBool":true,"unknownNull":null,
            """;

        var (items, progress) = await ReadAsync(ListJson(pods, metadataFirst: false, extra: extra));

        Assert.Equal(SerializeAll(pods), SerializeAll(items));
        AssertMetadata(progress);
        Assert.True(progress.Complete);
    }

    [Fact]
    public async Task Recognizes_escaped_property_names()
    {
        string body = "{\"\\u0069tems\":[" + Serialize(Pod(0)) + "],\"m\\u0065tadata\":{\"resourceVersion\":\"9\"}}";

        var (items, progress) = await ReadAsync(body);

        Assert.Equal(Serialize(Pod(0)), Serialize(Assert.Single(items)));
        Assert.Equal("9", progress.Metadata?.ResourceVersion);
    }

    [Fact]
    public async Task Yields_each_item_as_soon_as_its_bytes_are_complete()
    {
        var pods = Pods(2);
        string body = ListJson(pods);
        int afterFirst = body.IndexOf(Serialize(pods[0]), StringComparison.Ordinal) + Serialize(pods[0]).Length;
        byte[] head = Utf8(body[..afterFirst]), tail = Utf8(body[afterFirst..]);
        var pipe = new Pipe();
        var progress = new ListProgress();
        await using var items = JsonListReader.ReadAsync<V1Pod>(pipe.Reader, progress, DecodeOptions.Default, CancellationToken.None)
            .GetAsyncEnumerator();

        await pipe.Writer.WriteAsync(head);
        Assert.True(await items.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Serialize(pods[0]), Serialize(items.Current));
        Assert.Equal(1, progress.Items);
        Assert.Null(progress.Metadata); // set when the list closes
        Assert.False(progress.Complete);

        await pipe.Writer.WriteAsync(tail);
        await pipe.Writer.CompleteAsync();
        Assert.True(await items.MoveNextAsync());
        Assert.Equal(Serialize(pods[1]), Serialize(items.Current));
        Assert.False(await items.MoveNextAsync());
        Assert.True(progress.Complete);
        AssertMetadata(progress);
        Assert.Equal(Utf8(body).Length, progress.Bytes);
    }

    [Fact]
    public async Task Holds_at_most_one_item_and_a_read_window_however_long_the_list()
    {
        var pods = Pods(40);
        byte[] body = Utf8(ListJson(pods));
        int largestItem = pods.Max(p => Utf8(Serialize(p)).Length);
        const int window = 100;
        var reader = new SteppedPipeReader(body, window, segmentSize: 16);
        var progress = new ListProgress();

        var items = await ReadListAsync(reader, progress);

        Assert.Equal(SerializeAll(pods), SerializeAll(items));
        Assert.True(progress.Complete);
        Assert.True(body.Length > 20 * largestItem);
        Assert.InRange(reader.MaxBuffered, 1, largestItem + window + 1);
    }

    [Fact]
    public async Task An_item_over_the_size_limit_throws_before_more_is_buffered()
    {
        const int limit = 2_000, window = 100;
        var pods = new List<V1Pod> { Pod(0), Pod(1, note: new string('x', 20 * limit)), Pod(2) };
        string text = ListJson(pods);
        byte[] body = Utf8(text);
        long bigStart = Utf8(text[..text.IndexOf(Serialize(pods[1]), StringComparison.Ordinal)]).Length;
        var reader = new SteppedPipeReader(body, window, segmentSize: 16);
        var progress = new ListProgress();
        var seen = new List<V1Pod>();
        var options = new DecodeOptions { MaxMessageBytes = limit };

        var error = await Assert.ThrowsAsync<KubernetesWireException>(async () =>
        {
            await foreach (var pod in JsonListReader.ReadAsync<V1Pod>(reader, progress, options, CancellationToken.None))
                seen.Add(pod);
        });

        Assert.Equal(WireErrorKind.MessageTooLarge, error.Kind);
        Assert.Equal("items[1]", error.FieldPath);
        Assert.Equal(bigStart, error.Offset);
        Assert.Equal(Serialize(pods[0]), Serialize(Assert.Single(seen)));
        Assert.False(progress.Complete);
        // The limit was reached and not exceeded by more than one read (plus the comma before the item).
        Assert.InRange(reader.MaxBuffered, limit + 1, limit + window + 1);
        Assert.True(reader.Delivered < bigStart + limit + 2 * window);
    }

    [Fact]
    public async Task An_item_over_the_size_limit_throws_when_it_arrives_in_one_read()
    {
        var pods = new List<V1Pod> { Pod(0), Pod(1, note: new string('y', 3_000)) };

        var (error, _) = await FailAsync(ListJson(pods), new DecodeOptions { MaxMessageBytes = 2_000 });

        Assert.Equal(WireErrorKind.MessageTooLarge, error.Kind);
        Assert.Equal("items[1]", error.FieldPath);
    }

    [Fact]
    public async Task A_huge_unknown_property_is_skipped_without_being_held()
    {
        // Unknown values are released token by token, so only a single token counts against the limit.
        string unknown = "\"big\":[" + string.Join(",", Enumerable.Repeat("\"" + new string('z', 50) + "\"", 400)) + "],";
        byte[] body = Utf8(ListJson(Pods(1), extra: unknown));
        var reader = new SteppedPipeReader(body, window: 64, segmentSize: 16);
        var progress = new ListProgress();

        var items = await ReadListAsync(reader, progress, new DecodeOptions { MaxMessageBytes = 2_000 });

        Assert.Single(items);
        Assert.True(progress.Complete);
        Assert.InRange(reader.MaxBuffered, 1, 2_000 + 64);
    }

    [Fact]
    public async Task Oversized_metadata_throws()
    {
        string body = "{\"metadata\":{\"continue\":\"" + new string('c', 5_000) + "\"},\"items\":[]}";

        var (error, _) = await FailAsync(body, new DecodeOptions { MaxMessageBytes = 1_000 });

        Assert.Equal(WireErrorKind.MessageTooLarge, error.Kind);
        Assert.Equal("metadata", error.FieldPath);
        Assert.Equal(12, error.Offset);
    }

    [Theory]
    [InlineData("", 0, "")]
    [InlineData("   \n", 4, "")]
    [InlineData("{\"items\":[{\"metadata\":{}}", 25, "items[1]")]
    [InlineData("{\"items\":[{\"metadata\":{\"name\":\"a", 32, "items[0]")]
    [InlineData("{\"metadata\":{\"resourceVersion\":\"1\"", 34, "metadata")]
    [InlineData("{\"items\":[]", 11, "")]
    [InlineData("{\"items\":[],\"unknown\":[1,{", 26, "unknown")]
    public async Task A_body_that_ends_early_is_truncated(string body, long offset, string path)
    {
        var (error, _) = await FailAsync(body);

        Assert.Equal(WireErrorKind.Truncated, error.Kind);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(path, error.FieldPath);
    }

    [Theory]
    [InlineData("[]", 0, "")]
    [InlineData("null", 0, "")]
    [InlineData("\"PodList\"", 0, "")]
    [InlineData("{\"items\":{}}", 9, "items")]
    [InlineData("{\"items\":\"[]\"}", 9, "items")]
    [InlineData("{\"metadata\":[],\"items\":[]}", 12, "metadata")]
    [InlineData("{\"items\":[{},null]}", 13, "items[1]")]
    [InlineData("{\"items\":[{\"metadata\":{\"name\":\"a\",}}]}", 34, "items[0]")]
    [InlineData("{\"items\":[{}{}]}", 12, "items[1]")]
    [InlineData("{\"items\":[{}],}", 14, "")]
    [InlineData("{\"items\":[]} x", 13, "")]
    [InlineData("{\"items\":[]}{\"items\":[]}", 12, "")]
    [InlineData("{\"items\":[/* comment */]}", 10, "items[0]")]
    [InlineData("{'items':[]}", 1, "")]
    public async Task A_malformed_body_is_invalid_json(string body, long offset, string path)
    {
        var (error, _) = await FailAsync(body);

        Assert.Equal(WireErrorKind.InvalidJson, error.Kind);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(path, error.FieldPath);
    }

    [Fact]
    public async Task An_item_that_does_not_fit_its_type_names_the_field()
    {
        string body = "{\"items\":[{},{\"metadata\":{\"name\":5}}]}";

        var (error, progress) = await FailAsync(body);

        Assert.Equal(WireErrorKind.InvalidValue, error.Kind);
        Assert.Equal("items[1].metadata.name", error.FieldPath);
        Assert.InRange(error.Offset, 13, 35);
        Assert.Equal(1, progress.Items);
    }

    [Fact]
    public async Task A_bad_timestamp_is_an_invalid_value_not_a_format_exception()
    {
        string body = "{\"items\":[{\"metadata\":{\"creationTimestamp\":\"yesterday\"}}]}";

        var (error, _) = await FailAsync(body);

        Assert.Equal(WireErrorKind.InvalidValue, error.Kind);
        Assert.StartsWith("items[0]", error.FieldPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nesting_past_the_depth_limit_is_too_deep()
    {
        var options = new DecodeOptions { MaxDepth = 3 };
        var (ok, _) = await ReadAsync("{\"items\":[{\"a\":{\"b\":{}}}]}", options);
        Assert.Single(ok);

        var (error, _) = await FailAsync("{\"items\":[{\"a\":{\"b\":{\"c\":[]}}}]}", options);

        Assert.Equal(WireErrorKind.TooDeep, error.Kind);
        Assert.Equal("items[0]", error.FieldPath);
        Assert.Equal(25, error.Offset);
    }

    [Fact]
    public async Task A_writer_completed_with_an_exception_propagates_it()
    {
        byte[] body = Utf8(ListJson(Pods(3)));
        foreach (int end in new[] { 0, body.Length / 2, body.Length })
        {
            var progress = new ListProgress();
            var reset = new IOException("connection reset by peer");
            var reader = SplitPipe.From(body.AsMemory(0, end), [end / 3], reset);

            var thrown = await Assert.ThrowsAsync<IOException>(() => ReadListAsync(reader, progress));

            Assert.Same(reset, thrown);
            Assert.False(progress.Complete);
        }
    }

    [Fact]
    public async Task A_stepped_reader_that_fails_propagates_its_exception()
    {
        var progress = new ListProgress();
        var reader = new SteppedPipeReader(Utf8(ListJson(Pods(2))), window: 50, error: new IOException("reset"));

        await Assert.ThrowsAsync<IOException>(() => ReadListAsync(reader, progress));

        Assert.False(progress.Complete);
    }

    [Fact]
    public async Task An_expired_continue_Status_throws_ResourceExpired_with_the_fresh_token()
    {
        string body = """
            {"kind":"Status","apiVersion":"v1","metadata":{"continue":"fresh-token"},"status":"Failure",
             "message":"The provided continue parameter is too old to display a consistent list result.",
             "reason":"Expired","code":410}
            """;
        var progress = new ListProgress();

        var error = await Assert.ThrowsAsync<ResourceExpiredException>(() => ReadListAsync(SplitPipe.OneByteAtATime(Utf8(body)), progress));

        Assert.Equal(410, error.Code);
        Assert.Equal("Expired", error.Reason);
        Assert.Equal("fresh-token", error.FreshContinue);
        Assert.StartsWith("The provided continue parameter", error.Status.Message, StringComparison.Ordinal);
        Assert.False(progress.Complete);
        Assert.Null(progress.Metadata);
    }

    [Fact]
    public async Task A_Status_whose_kind_comes_last_is_still_recognized()
    {
        string body = """
            {"apiVersion":"v1","metadata":{},"status":"Failure","message":"Too large resource version",
             "reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource version"}],"retryAfterSeconds":1},
             "code":504,"kind":"Status"}
            """;

        var error = await Assert.ThrowsAsync<ResourceVersionTooLargeException>(() => ReadListAsync(SplitPipe.From(Utf8(body)), new ListProgress()));

        Assert.Equal(504, error.Code);
        Assert.Equal(1, error.Status.Details.RetryAfterSeconds);
    }

    [Fact]
    public async Task Any_other_Status_throws_the_general_status_exception()
    {
        string body = StatusJson(403, "Forbidden", "pods is forbidden");

        var error = await Assert.ThrowsAsync<KubernetesStatusException>(() => ReadListAsync(SplitPipe.From(Utf8(body)), new ListProgress()));

        Assert.Equal(typeof(KubernetesStatusException), error.GetType());
        Assert.Equal(403, error.Code);
        Assert.Equal("pods is forbidden", error.Status.Message);
    }

    [Fact]
    public async Task The_kubernetes_Status_fixture_maps_to_a_status_exception()
    {
        string body = File.ReadAllText(Path.Combine(Fixtures.Dir, "core.v1.Status.json"));

        var error = await Assert.ThrowsAsync<KubernetesStatusException>(() => ReadListAsync(SplitPipe.From(Utf8(body)), new ListProgress()));

        var expected = KubernetesJson.Deserialize<V1Status>(body);
        Assert.Equal(KubernetesJsonUtil.Serialize(expected), KubernetesJsonUtil.Serialize(error.Status));
    }

    [Fact]
    public async Task Cancellation_stops_the_read()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Utf8("{\"items\":["));
        using var cts = new CancellationTokenSource();
        var read = ReadListAsync(pipe.Reader, new ListProgress(), cancellationToken: cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }
}
