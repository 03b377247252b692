using System.Buffers;
using System.Buffers.Binary;

namespace StreamList.Wire;

/// <summary>
/// Splits a protobuf watch stream into frames: a 4-byte big-endian length, then that many bytes
/// of <c>metav1.WatchEvent</c>. Pure: no I/O. The length is checked against the frame limit as soon
/// as its 4 bytes arrive, before anything of the frame is buffered.
/// </summary>
internal sealed class WatchFramer(int maxFrameBytes)
{
    private long _offset;

    /// <summary>Absolute stream offset of the next unconsumed byte.</summary>
    public long Offset => _offset;

    /// <summary>Bytes the framer waits for to complete the current frame (0 when between frames).</summary>
    public long BufferedNeed { get; private set; }

    /// <summary>
    /// Takes the next whole frame from the front of <paramref name="buffer"/>, or returns false when
    /// more bytes are needed (consuming nothing). At the end of input, a partial frame throws Truncated.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, bool isCompleted, out ReadOnlySequence<byte> frame, out long frameOffset)
    {
        frame = default;
        frameOffset = 0;
        if (buffer.Length < 4)
        {
            if (isCompleted && buffer.Length > 0)
                throw new KubernetesWireException(WireErrorKind.Truncated, _offset, "", "stream ended inside a frame length");
            return false;
        }
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (length > maxFrameBytes)
            throw new KubernetesWireException(WireErrorKind.MessageTooLarge, _offset, "", $"watch frame of {length} bytes exceeds the {maxFrameBytes}-byte limit");
        if (buffer.Length < 4 + length)
        {
            BufferedNeed = 4 + length;
            if (isCompleted)
                throw new KubernetesWireException(WireErrorKind.Truncated, _offset, "", $"stream ended inside a {length}-byte frame");
            return false;
        }
        BufferedNeed = 0;
        frameOffset = _offset + 4;
        frame = buffer.Slice(4, length);
        buffer = buffer.Slice(4 + length);
        _offset += 4 + length;
        return true;
    }
}
