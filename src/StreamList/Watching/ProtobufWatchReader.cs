using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using k8s.Models;
using StreamList.Http;
using StreamList.Wire;

namespace StreamList.Watching;

/// <summary>
/// Streams events from a protobuf watch body (<c>application/vnd.kubernetes.protobuf;stream=watch</c>):
/// frames from <see cref="WatchFramer"/>, each a WatchEvent whose object is an enveloped object.
/// ERROR events throw their Status as a typed <see cref="KubernetesStatusException"/>. Reads as
/// fast as the socket delivers: one event is decoded per read and handed out at once. With
/// <c>skipUnchanged</c>, an ADDED event whose object it recognises (by name, namespace, uid and
/// resourceVersion, read without decoding) is neither decoded nor handed out.
/// </summary>
internal static class ProtobufWatchReader
{
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(PipeReader reader, DecodeOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken, Func<Listing.ItemIdentity, bool>? skipUnchanged = null)
        where T : class
    {
        var framer = new WatchFramer(options.MaxMessageBytes);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            WatchEvent<T>? next = null;
            bool ended = false;
            try
            {
                if (framer.TryRead(ref buffer, result.IsCompleted, out var frame, out long frameOffset))
                {
                    examined = buffer.Start;
                    next = Decode<T>(frame, frameOffset, options, skipUnchanged);
                }
                else if (result.IsCompleted)
                {
                    ended = true;
                }
                consumed = buffer.Start;
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
            if (next is { } e)
                yield return e;
            if (ended)
                yield break;
        }
    }

    internal static WatchEvent<T>? Decode<T>(in ReadOnlySequence<byte> frame, long offset, DecodeOptions options, Func<Listing.ItemIdentity, bool>? skipUnchanged = null)
        where T : class
    {
        if (frame.IsSingleSegment)
            return Decode<T>(frame.FirstSpan, offset, options, skipUnchanged);
        var (buffer, length) = Contiguous.Rent(frame, options, offset);
        try
        {
            return Decode<T>(buffer.AsSpan(0, length), offset, options, skipUnchanged);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static WatchEvent<T>? Decode<T>(ReadOnlySpan<byte> frame, long offset, DecodeOptions options, Func<Listing.ItemIdentity, bool>? skipUnchanged)
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

    private static bool IsUnchanged(ReadOnlySpan<byte> enveloped, long offset, Func<Listing.ItemIdentity, bool> skipUnchanged)
    {
        try
        {
            var header = Envelope.Read(enveloped, offset);
            return Listing.ItemIdentity.TryPeek(enveloped.Slice(header.RawOffset, header.RawLength), out var id) && skipUnchanged(id);
        }
        catch (KubernetesWireException)
        {
            return false; // decoded normally, which reports the error with its path
        }
    }
}
