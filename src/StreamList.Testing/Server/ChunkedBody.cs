using System.Buffers;
using System.IO.Compression;

namespace StreamList.Testing.Server;

/// <summary>
/// A response body the list writers fill through <see cref="IBufferWriter{T}"/>, emitted in the
/// writes the options ask for (<see cref="ChunkMode"/>, optional pause after each write, optional
/// gzip). Memory is bounded: pending bytes are written out after each item once they reach the
/// chunk size, so the buffer holds at most one chunk plus one item.
/// </summary>
internal sealed class ChunkedBody : IBufferWriter<byte>, IAsyncDisposable
{
    private const int MaxRandomWrite = 16 * 1024;

    private readonly Stream _sink;
    private readonly GZipStream? _gzip;
    private readonly ChunkMode _mode;
    private readonly int _threshold;
    private readonly Random? _random;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly CancellationToken _cancellationToken;
    private byte[] _buffer;
    private int _count;

    public ChunkedBody(Stream responseBody, bool gzip, FakeApiServerOptions options, long requestNumber, CancellationToken cancellationToken)
    {
        _gzip = gzip ? new GZipStream(responseBody, CompressionLevel.Fastest, leaveOpen: true) : null;
        _sink = _gzip ?? responseBody;
        _mode = options.ChunkMode;
        _threshold = _mode == ChunkMode.Large ? Math.Max(1, options.ChunkSize) : 1;
        _random = _mode == ChunkMode.Random ? new Random(unchecked(options.ChunkSeed * 7919 + (int)requestNumber)) : null;
        _delay = options.ChunkDelay;
        _time = options.TimeProvider;
        _cancellationToken = cancellationToken;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(_threshold, 1 << 20) + 16 * 1024);
    }

    /// <summary>Body bytes (before gzip) written out so far.</summary>
    public long BytesWritten { get; private set; }

    public void Advance(int count) => _count += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_count);
    }

    /// <summary>Called after each item: writes pending bytes out once there are enough.</summary>
    public ValueTask ItemDoneAsync() => _count >= _threshold ? FlushAsync() : ValueTask.CompletedTask;

    /// <summary>Writes every pending byte out, cut as the mode says.</summary>
    public async ValueTask FlushAsync()
    {
        int offset = 0;
        while (offset < _count)
        {
            int n = _mode switch
            {
                ChunkMode.OneByte => 1,
                ChunkMode.Random => Math.Min(_count - offset, Math.Min(MaxRandomWrite, _random!.Next(1, 2 << _random.Next(0, 14)))),
                _ => _count - offset,
            };
            await _sink.WriteAsync(_buffer.AsMemory(offset, n), _cancellationToken).ConfigureAwait(false);
            await _sink.FlushAsync(_cancellationToken).ConfigureAwait(false);
            offset += n;
            BytesWritten += n;
            if (_delay > TimeSpan.Zero)
                await Task.Delay(_delay, _time, _cancellationToken).ConfigureAwait(false);
        }
        _count = 0;
    }

    /// <summary>Writes the rest and ends the gzip stream (its trailer); the response itself ends when the handler returns.</summary>
    public async ValueTask CompleteAsync()
    {
        await FlushAsync().ConfigureAwait(false);
        if (_gzip is not null)
            await _gzip.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gzip is not null)
        {
            try
            {
                await _gzip.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The connection is gone (aborted on purpose or by the client): nothing to finish.
            }
        }
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(buffer);
    }

    private void Ensure(int sizeHint)
    {
        int need = _count + Math.Max(sizeHint, 256);
        if (need <= _buffer.Length)
            return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(need, _buffer.Length * 2));
        _buffer.AsSpan(0, _count).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
