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
/// fast as the socket delivers: one event is decoded per read and handed out at once. The object
/// of an ADDED or MODIFIED event is first offered to the <see cref="ItemTaker"/>, if any: an event
/// whose object it takes is neither decoded nor handed out. The pipe is read by <see cref="FrameReadLoop"/>.
/// </summary>
internal static class ProtobufWatchReader
{
    public static IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(PipeReader reader, DecodeOptions options,
        CancellationToken cancellationToken, ItemTaker? takeItem = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        return FrameReadLoop.ReadAsync(reader, new Parser<T>(options, takeItem), "watch stream", cancellationToken);
    }

    private sealed class Parser<T>(DecodeOptions options, ItemTaker? takeItem) : IFrameParser<WatchEvent<T>>
        where T : class
    {
        private readonly WatchFramer _framer = new(options.MaxMessageBytes);

        public Frame<WatchEvent<T>> Parse(in ReadOnlySequence<byte> buffer, bool isCompleted)
        {
            var rest = buffer;
            if (!_framer.TryRead(ref rest, isCompleted, out var frame, out long frameOffset))
                return new Frame<WatchEvent<T>>(isCompleted ? FrameStep.End : FrameStep.More, rest.Start, buffer.End, default);
            return Decode<T>(frame, frameOffset, options, takeItem) is { } e
                ? new Frame<WatchEvent<T>>(FrameStep.Item, rest.Start, rest.Start, e)
                : new Frame<WatchEvent<T>>(FrameStep.More, rest.Start, rest.Start, default);
        }
    }

    internal static WatchEvent<T>? Decode<T>(in ReadOnlySequence<byte> frame, long offset, DecodeOptions options, ItemTaker? takeItem = null)
        where T : class
    {
        if (frame.IsSingleSegment)
            return Decode<T>(frame.First, offset, options, takeItem);
        var (buffer, length) = Contiguous.Rent(frame, options.MaxMessageBytes, offset);
        try
        {
            return Decode<T>(buffer.AsMemory(0, length), offset, options, takeItem);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static WatchEvent<T>? Decode<T>(ReadOnlyMemory<byte> frameMemory, long offset, DecodeOptions options, ItemTaker? takeItem)
        where T : class
    {
        var frame = frameMemory.Span;
        var r = options.Reader(frame, offset);
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
        if (takeItem is not null && eventType is WatchEventKind.Added or WatchEventKind.Modified
            && Taken<T>(frameMemory.Slice(rawStart, rawLength), rawOffset, options, takeItem))
            return null;
        return new WatchEvent<T>(eventType, (T)KubernetesProtobuf.DecodeEnveloped(raw, options, rawOffset, typeof(T)));
    }

    /// <summary>
    /// Offers the object's message body when the envelope is a plain <typeparamref name="T"/> within
    /// the size limit; anything else is decoded instead, which reports the problem with its path.
    /// </summary>
    private static bool Taken<T>(ReadOnlyMemory<byte> enveloped, long offset, DecodeOptions options, ItemTaker takeItem)
    {
        Envelope.Header header;
        try
        {
            header = Envelope.Read(enveloped.Span, offset);
        }
        catch (KubernetesWireException)
        {
            return false; // decoded normally, which reports the error with its path
        }
        if (header.RawLength > options.MaxMessageBytes || header.ContentEncoding.Length > 0
            || (header.Kind.Length > 0 && ProtobufRegistry.Find(header.ApiVersion, header.Kind)?.Type != typeof(T)))
            return false;
        var message = enveloped.Slice(header.RawOffset, header.RawLength);
        if (!ItemIdentity.TryPeek(message.Span, out var id, out var record))
            return false;
        // Offered as it would be decoded: the metadata record alone under MetadataOnly (no registry lookup per event otherwise).
        if (options.MetadataOnly && MetadataOnlyReader.Applies(ProtobufRegistry.ForType(typeof(T))!, options))
            message = message[record];
        return takeItem(id, new ReadOnlySequence<byte>(message));
    }
}
