using System.Buffers;
using System.IO.Pipelines;
using k8s.Models;
using StreamList.Http;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Watching;

/// <summary>
/// Streams events from a protobuf watch body (<c>application/vnd.kubernetes.protobuf;stream=watch</c>):
/// frames from <see cref="WatchFramer"/>, each a WatchEvent whose object is an enveloped object.
/// ERROR events throw their Status as a typed <see cref="KubernetesStatusException"/>. Reads as
/// fast as the socket delivers: one event is decoded per read and handed out at once. With
/// <c>skipUnchanged</c>, an ADDED event whose object it recognises (by name, namespace, uid and
/// resourceVersion, read without decoding) is neither decoded nor handed out. The pipe is read by
/// <see cref="FrameReadLoop"/>.
/// </summary>
internal static class ProtobufWatchReader
{
    public static IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(PipeReader reader, DecodeOptions options,
        CancellationToken cancellationToken, Func<ItemIdentity, bool>? skipUnchanged = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        return FrameReadLoop.ReadAsync(reader, new Parser<T>(options, skipUnchanged), "watch stream", cancellationToken);
    }

    private sealed class Parser<T>(DecodeOptions options, Func<ItemIdentity, bool>? skipUnchanged) : IFrameParser<WatchEvent<T>>
        where T : class
    {
        private readonly WatchFramer _framer = new(options.MaxMessageBytes);

        public Frame<WatchEvent<T>> Parse(in ReadOnlySequence<byte> buffer, bool isCompleted)
        {
            var rest = buffer;
            if (!_framer.TryRead(ref rest, isCompleted, out var frame, out long frameOffset))
                return new Frame<WatchEvent<T>>(isCompleted ? FrameStep.End : FrameStep.More, rest.Start, buffer.End, default);
            return Decode<T>(frame, frameOffset, options, skipUnchanged) is { } e
                ? new Frame<WatchEvent<T>>(FrameStep.Item, rest.Start, rest.Start, e)
                : new Frame<WatchEvent<T>>(FrameStep.More, rest.Start, rest.Start, default);
        }
    }

    internal static WatchEvent<T>? Decode<T>(in ReadOnlySequence<byte> frame, long offset, DecodeOptions options, Func<ItemIdentity, bool>? skipUnchanged = null)
        where T : class
    {
        if (frame.IsSingleSegment)
            return Decode<T>(frame.FirstSpan, offset, options, skipUnchanged);
        var (buffer, length) = Contiguous.Rent(frame, options.MaxMessageBytes, offset);
        try
        {
            return Decode<T>(buffer.AsSpan(0, length), offset, options, skipUnchanged);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static WatchEvent<T>? Decode<T>(ReadOnlySpan<byte> frame, long offset, DecodeOptions options, Func<ItemIdentity, bool>? skipUnchanged)
        where T : class
    {
        var r = new ProtoReader(frame, offset, options.Strings, options.MaxDepth);
        string? type = null;
        int rawStart = -1, rawLength = 0;
        while (r.TryReadTag(out uint tag))
        {
            switch (tag >> 3)
            {
                case 1:
                    r.Expect(tag, WireType.LengthDelimited, "type");
                    type = r.ReadString();
                    break;
                case 2:
                    r.Expect(tag, WireType.LengthDelimited, "object");
                    int saved = r.EnterMessage();
                    while (r.TryReadTag(out uint t))
                    {
                        if (t >> 3 == 1)
                        {
                            r.Expect(t, WireType.LengthDelimited, "raw");
                            rawLength = r.ReadLength();
                            rawStart = r.Position;
                            r.SkipBytes(rawLength);
                        }
                        else
                        {
                            r.SkipField(t);
                        }
                    }
                    r.ExitMessage(saved);
                    break;
                default:
                    r.SkipField(tag);
                    break;
            }
        }
        if (type is null || rawStart < 0)
            throw new KubernetesWireException(WireErrorKind.InvalidValue, offset, "", "watch event without type or object");
        var raw = frame.Slice(rawStart, rawLength);
        long rawOffset = offset + rawStart;
        var eventType = type switch
        {
            "ADDED" => WatchEventKind.Added,
            "MODIFIED" => WatchEventKind.Modified,
            "DELETED" => WatchEventKind.Deleted,
            "BOOKMARK" => WatchEventKind.Bookmark,
            "ERROR" => throw KubernetesStatusException.From((V1Status)KubernetesProtobuf.DecodeEnveloped(raw, options, rawOffset, typeof(V1Status))),
            _ => throw new KubernetesWireException(WireErrorKind.InvalidValue, offset, "type", $"unknown watch event type '{type}'"),
        };
        if (eventType == WatchEventKind.Added && skipUnchanged is not null && IsUnchanged(raw, rawOffset, skipUnchanged))
            return null;
        return new WatchEvent<T>(eventType, (T)KubernetesProtobuf.DecodeEnveloped(raw, options, rawOffset, typeof(T)));
    }

    private static bool IsUnchanged(ReadOnlySpan<byte> enveloped, long offset, Func<ItemIdentity, bool> skipUnchanged)
    {
        try
        {
            var header = Envelope.Read(enveloped, offset);
            return ItemIdentity.TryPeek(enveloped.Slice(header.RawOffset, header.RawLength), out var id) && skipUnchanged(id);
        }
        catch (KubernetesWireException)
        {
            return false; // decoded normally, which reports the error with its path
        }
    }
}
