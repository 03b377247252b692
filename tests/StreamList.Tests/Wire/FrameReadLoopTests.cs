using System.Buffers;
using System.IO.Pipelines;
using k8s.Models;
using StreamList.Codec;
using StreamList.Listing;
using StreamList.Watching;
using StreamList.Wire;

namespace StreamList.Tests.Wire;

/// <summary>
/// The one read loop behind the four body readers: cancellation of a pending read and of the token, and
/// the pipe advanced exactly as the parser said, for every format (protobuf and JSON, list and watch).
/// </summary>
public sealed class FrameReadLoopTests
{
    public static TheoryData<string> Bodies => new()
    {
        "protobuf list", "json list", "protobuf watch", "json watch",
    };

    private static IAsyncEnumerable<object> Read(string body, PipeReader reader, CancellationToken cancellationToken) => body switch
    {
        "protobuf list" => ListBody.ReadAsync<V1Pod>(reader, "application/vnd.kubernetes.protobuf", cancellationToken: cancellationToken),
        "json list" => ListBody.ReadAsync<V1Pod>(reader, "application/json", cancellationToken: cancellationToken),
        "protobuf watch" => Boxed(WatchBody.ReadAsync<V1Pod>(reader, "application/vnd.kubernetes.protobuf;stream=watch", cancellationToken: cancellationToken)),
        "json watch" => Boxed(WatchBody.ReadAsync<V1Pod>(reader, "application/json;stream=watch", cancellationToken: cancellationToken)),
        _ => throw new ArgumentOutOfRangeException(nameof(body)),
    };

    private static async IAsyncEnumerable<object> Boxed(IAsyncEnumerable<WatchEvent<V1Pod>> events)
    {
        await foreach (var e in events)
            yield return e;
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_cancelled_pending_read_ends_every_reader_with_OperationCanceledException(string body)
    {
        var pipe = new Pipe();
        await using var items = Read(body, pipe.Reader, CancellationToken.None).GetAsyncEnumerator();
        var next = items.MoveNextAsync();
        Assert.False(next.IsCompleted); // waiting for bytes that never come
        pipe.Reader.CancelPendingRead();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
        Assert.Contains("canceled", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_cancelled_token_ends_every_reader_while_it_waits(string body)
    {
        var pipe = new Pipe();
        using var cts = new CancellationTokenSource();
        await using var items = Read(body, pipe.Reader, cts.Token).GetAsyncEnumerator();
        var next = items.MoveNextAsync();
        Assert.False(next.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
    }

    [Fact]
    public async Task A_cancelled_token_stops_between_items_already_buffered()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 1, 2, 3, 4 });
        await pipe.Writer.CompleteAsync();
        using var cts = new CancellationTokenSource();
        await using var items = FrameReadLoop.ReadAsync(pipe.Reader, new OneBytePerItem(), "test body", cts.Token).GetAsyncEnumerator();
        Assert.True(await items.MoveNextAsync());
        Assert.Equal(1, items.Current);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await items.MoveNextAsync());
    }

    [Fact]
    public async Task The_pipe_advances_as_the_parser_says_and_every_item_is_handed_out_once()
    {
        var pipe = new Pipe();
        byte[] bytes = [1, 2, 3, 4, 5];
        var reading = Task.Run(async () =>
        {
            var seen = new List<int>();
            await foreach (var b in FrameReadLoop.ReadAsync(pipe.Reader, new OneBytePerItem(), "test body", CancellationToken.None))
                seen.Add(b);
            return seen;
        });
        foreach (var b in bytes)
            await pipe.Writer.WriteAsync(new[] { b }); // one read per byte or several at once: the same items
        await pipe.Writer.CompleteAsync();
        Assert.Equal([1, 2, 3, 4, 5], await reading);
    }

    /// <summary>Each byte is an item; the body ends when the writer completes with nothing left.</summary>
    private sealed class OneBytePerItem : IFrameParser<int>
    {
        public Frame<int> Parse(in ReadOnlySequence<byte> buffer, bool isCompleted)
        {
            if (buffer.IsEmpty)
                return new Frame<int>(isCompleted ? FrameStep.End : FrameStep.More, buffer.Start, buffer.End, 0);
            var next = buffer.GetPosition(1);
            return new Frame<int>(FrameStep.Item, next, next, buffer.FirstSpan[0]);
        }
    }
}
