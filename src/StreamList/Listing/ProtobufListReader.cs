using System.Buffers;
using System.IO.Pipelines;
using k8s.Models;
using StreamList.Codec;
using StreamList.Http;
using StreamList.Wire;

namespace StreamList.Listing;

/// <summary>
/// Streams the items of a protobuf list body from a <see cref="PipeReader"/>: each item is decoded
/// as soon as its bytes are complete and handed out before the next is read, so at most one item
/// plus a read window is buffered. Splitting is <see cref="ProtobufListFramer"/>'s, reading the pipe
/// <see cref="FrameReadLoop"/>'s.
///
/// Contract: <see cref="ListProgress.Complete"/> is set only after the body ended well-formed; any
/// malformed or cut body throws <see cref="KubernetesWireException"/>; a body that is a Status
/// throws <see cref="KubernetesStatusException"/>; a pipe completed with an error rethrows it.
/// </summary>
internal static class ProtobufListReader
{
    private static readonly BodyReader s_readListMeta = static (ref ProtoReader r) => ProtobufCodec.MergeV1ListMeta(ref r, new V1ListMeta());

    /// <summary>
    /// Offers the item to <paramref name="takeItem"/> as it would be decoded: the whole message, or
    /// its metadata record alone under <see cref="DecodeOptions.MetadataOnly"/>.
    /// </summary>
    private static bool Taken(in ReadOnlySequence<byte> part, ItemTaker takeItem, bool metadataOnly)
    {
        // Metadata comes first in the item: the first segment nearly always holds it whole.
        var head = part.FirstSpan;
        ItemIdentity id;
        Range record;
        if (part.IsSingleSegment || head.Length >= 4096)
        {
            if (!ItemIdentity.TryPeek(head, out id, out record))
                return false;
        }
        else
        {
            Span<byte> copy = part.Length <= 4096 ? stackalloc byte[(int)part.Length] : stackalloc byte[4096];
            part.Slice(0, copy.Length).CopyTo(copy);
            if (!ItemIdentity.TryPeek(copy, out id, out record))
                return false;
        }
        if (!metadataOnly)
            return takeItem(id, part);
        var (start, length) = record.GetOffsetAndLength(int.MaxValue);
        return takeItem(id, part.Slice(start, length));
    }

    /// <summary>
    /// Streams the list's items; see the type's contract. An item <paramref name="takeItem"/> takes
    /// (an <see cref="ItemTaker"/>) is neither decoded nor yielded; one whose metadata cannot be read
    /// is not offered, but decoded, which reports the error with its path.
    /// </summary>
    public static IAsyncEnumerable<T> ReadAsync<T>(PipeReader reader, ListProgress progress, DecodeOptions options,
        CancellationToken cancellationToken, ItemTaker? takeItem = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(progress);
        return FrameReadLoop.ReadAsync(reader, new Parser<T>(progress, options, takeItem), "list body", cancellationToken);
    }

    private sealed class Parser<T>(ListProgress progress, DecodeOptions options, ItemTaker? takeItem) : IFrameParser<T>
        where T : class
    {
        private readonly ProtobufKind _listKind = ProtobufRegistry.ListOf(typeof(T))
            ?? throw new ArgumentException($"{typeof(T).Name} is not the item type of a protobuf list kind", nameof(T));
        private readonly BodyReader _readItem = MetadataOnlyReader.For(ProtobufRegistry.ForType(typeof(T))!, options);
        private readonly ProtobufListFramer _framer = new(options.MaxMessageBytes);
        private readonly bool _metadataOnly = MetadataOnlyReader.Applies(ProtobufRegistry.ForType(typeof(T))!, options);

        public Frame<T> Parse(in ReadOnlySequence<byte> buffer, bool isCompleted)
        {
            var rest = buffer;
            long before = _framer.Offset;
            if (!_framer.TryRead(ref rest, isCompleted, out var kind, out var part, out long partOffset))
            {
                progress.ReportBytes(_framer.Offset - before);
                return new Frame<T>(FrameStep.More, rest.Start, buffer.End, null!);
            }
            var step = FrameStep.More;
            T? item = null;
            switch (kind)
            {
                case ListFrameKind.TypeMeta:
                    var (apiVersion, kindName) = PartDecoder.TypeMeta(part, partOffset);
                    if (kindName == "Status")
                        _framer.ExpectList = false;
                    else if (kindName != _listKind.Kind || apiVersion != _listKind.ApiVersion)
                        throw new KubernetesWireException(WireErrorKind.UnexpectedKind, partOffset, "typeMeta",
                            $"expected {_listKind.ApiVersion} {_listKind.Kind}, the body holds {apiVersion} {kindName}");
                    break;
                case ListFrameKind.Metadata:
                    progress.ReportMetadata((V1ListMeta)PartDecoder.Message(part, partOffset, s_readListMeta, options, "metadata"));
                    break;
                case ListFrameKind.Item:
                    if (takeItem is not null && Taken(part, takeItem, _metadataOnly))
                    {
                        progress.ReportItem();
                        break;
                    }
                    item = (T)PartDecoder.Message(part, partOffset, _readItem, options, "items", _framer.ItemIndex - 1);
                    step = FrameStep.Item;
                    break;
                case ListFrameKind.WholeMessage:
                    var status = (V1Status)PartDecoder.Message(part, partOffset, ProtobufRegistry.ForType(typeof(V1Status))!.ReadBody, options, "raw");
                    throw KubernetesStatusException.From(status);
                case ListFrameKind.End:
                    step = FrameStep.End;
                    break;
            }
            progress.ReportBytes(_framer.Offset - before);
            if (step == FrameStep.Item)
                progress.ReportItem();
            else if (step == FrameStep.End)
                progress.ReportComplete();
            return new Frame<T>(step, rest.Start, rest.Start, item!);
        }
    }
}
