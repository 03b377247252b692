using System.Buffers;
using ZstdSharp;

namespace StreamList.Memory;

/// <summary>
/// One trained zstd dictionary (or none: plain zstd) with the contexts that use it: a compressor
/// for the single writer, and a decompressor per reading thread.
///
/// Contract: <see cref="Compress"/> is called by one thread at a time (the store's writer);
/// <see cref="Decompress"/> from any thread. Each <see cref="CompressedMessage"/> refers to the
/// dictionary it was made with, so a retrained store still reads what it compressed before.
/// </summary>
internal sealed class ZstdDictionary
{
    private readonly byte[] _raw;
    private readonly Compressor _compressor;
    private readonly ThreadLocal<Decompressor> _decompressors;

    /// <param name="raw">A dictionary from <see cref="DictBuilder"/>, or empty for none.</param>
    /// <param name="level">zstd compression level.</param>
    public ZstdDictionary(byte[] raw, int level)
    {
        _raw = raw;
        _compressor = new Compressor(level);
        if (raw.Length > 0)
            _compressor.LoadDictionary(raw);
        _decompressors = new ThreadLocal<Decompressor>(() =>
        {
            var d = new Decompressor();
            if (_raw.Length > 0)
                d.LoadDictionary(_raw);
            return d;
        });
    }

    /// <summary>The dictionary's size in bytes (0: none).</summary>
    public int Size => _raw.Length;

    /// <summary>Compresses <paramref name="message"/> into an exactly sized array.</summary>
    public CompressedMessage Compress(ReadOnlySpan<byte> message)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Compressor.GetCompressBound(message.Length));
        try
        {
            int length = _compressor.Wrap(message, buffer);
            return new CompressedMessage(buffer.AsSpan(0, length).ToArray(), message.Length, this);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decompresses <paramref name="message"/> into a rented array the caller returns to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public byte[] Decompress(CompressedMessage message)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(message.OriginalLength);
        int length = _decompressors.Value!.Unwrap(message.Data, buffer);
        if (length != message.OriginalLength)
            throw new InvalidDataException($"a stored message decompressed to {length} bytes, not {message.OriginalLength}");
        return buffer;
    }
}

/// <summary>A message as a compressed store keeps it: the zstd frame, the length to restore and the dictionary it needs.</summary>
internal sealed class CompressedMessage(byte[] data, int originalLength, ZstdDictionary dictionary)
{
    /// <summary>The zstd frame.</summary>
    public byte[] Data { get; } = data;

    /// <summary>The message's length before compression.</summary>
    public int OriginalLength { get; } = originalLength;

    /// <summary>The dictionary it was compressed with.</summary>
    public ZstdDictionary Dictionary { get; } = dictionary;
}
