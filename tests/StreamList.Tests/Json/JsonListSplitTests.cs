using StreamList.Listing;
using StreamList.Tests.Support;
using StreamList.Wire;
using static StreamList.Tests.Json.JsonTestData;

namespace StreamList.Tests.Json;

/// <summary>
/// A realistic list body read split at every byte boundary, one byte per read, and truncated at
/// every byte: the split never changes what is decoded, and every truncation is reported.
/// </summary>
public class JsonListSplitTests
{
    public static TheoryData<bool> Orders() => new() { true, false };

    private static byte[] Body(bool metadataFirst) =>
        Utf8(ListJson(Pods(3), metadataFirst, extra: "\"unknown\":{\"a\":[\"]\",{\"b\":\"}\"}]},"));

    private static async Task<(string Items, string? Metadata, ListProgress Progress)> DecodeAsync(System.IO.Pipelines.PipeReader reader)
    {
        var progress = new ListProgress();
        var items = await ReadListAsync(reader, progress);
        return (SerializeAll(items), progress.Metadata is null ? null : Serialize(progress.Metadata), progress);
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Every_split_point_decodes_the_same(bool metadataFirst)
    {
        byte[] body = Body(metadataFirst);
        var (expectedItems, expectedMetadata, whole) = await DecodeAsync(SplitPipe.From(body));
        Assert.True(whole.Complete);
        Assert.Equal(SerializeAll(Pods(3)), expectedItems);
        Assert.NotNull(expectedMetadata);

        for (int cut = 1; cut < body.Length; cut++)
        {
            var (items, metadata, progress) = await DecodeAsync(SplitPipe.From(body, cut));
            Assert.True(expectedItems == items, $"items differ when split at {cut}");
            Assert.True(expectedMetadata == metadata, $"metadata differs when split at {cut}");
            Assert.True(progress.Complete, $"incomplete when split at {cut}");
            Assert.Equal(body.Length, progress.Bytes);
            Assert.Equal(3, progress.Items);
        }
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task One_byte_at_a_time_decodes_the_same(bool metadataFirst)
    {
        byte[] body = Body(metadataFirst);
        var expected = await DecodeAsync(SplitPipe.From(body));

        var split = await DecodeAsync(SplitPipe.OneByteAtATime(body));
        // Deterministic: exactly one new byte per read, in one-byte segments.
        var stepped = await DecodeAsync(new SteppedPipeReader(body, window: 1, segmentSize: 1));

        foreach (var actual in new[] { split, stepped })
        {
            Assert.Equal(expected.Items, actual.Items);
            Assert.Equal(expected.Metadata, actual.Metadata);
            Assert.True(actual.Progress.Complete);
            Assert.Equal(body.Length, actual.Progress.Bytes);
        }
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(5, 1)]
    [InlineData(13, 4)]
    [InlineData(64, 4096)]
    public async Task Any_read_window_and_segment_size_decodes_the_same(int window, int segmentSize)
    {
        byte[] body = Body(metadataFirst: true);
        var expected = await DecodeAsync(SplitPipe.From(body));

        var actual = await DecodeAsync(new SteppedPipeReader(body, window, segmentSize));

        Assert.Equal(expected.Items, actual.Items);
        Assert.Equal(expected.Metadata, actual.Metadata);
        Assert.True(actual.Progress.Complete);
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Every_truncation_point_is_reported(bool metadataFirst)
    {
        byte[] body = Body(metadataFirst);
        int closed = Array.LastIndexOf(body, (byte)'}') + 1; // only whitespace follows the list's closing brace

        for (int k = 0; k < body.Length; k++)
        {
            var progress = new ListProgress();
            var reader = SplitPipe.From(body.AsMemory(0, k), k / 2);
            if (k >= closed)
            {
                await ReadListAsync(reader, progress);
                Assert.True(progress.Complete);
                continue;
            }
            var error = await Assert.ThrowsAsync<KubernetesWireException>(() => ReadListAsync(reader, progress));
            Assert.True(error.Kind == WireErrorKind.Truncated, $"cut at {k}: {error.Message}");
            Assert.Equal(k, error.Offset);
            Assert.False(progress.Complete, $"complete when cut at {k}");
        }
    }
}
