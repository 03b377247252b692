using k8s;
using k8s.Models;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// The metadata-only decode (<see cref="DecodeOptions.MetadataOnly"/>): builds the object with only
/// its metadata (field 1 of every top-level Kubernetes message) and skips everything else without
/// building it, as client-go's metadata informers do with PartialObjectMetadata.
/// </summary>
internal static class MetadataOnlyReader
{
    /// <summary>The body reader for <paramref name="kind"/> under <paramref name="options"/>: metadata-only when asked and possible.</summary>
    public static BodyReader For(ProtobufKind kind, DecodeOptions options) =>
        Applies(kind, options) ? (ref ProtoReader r) => Read(ref r, kind.Type) : kind.ReadBody;

    /// <summary>Whether objects of <paramref name="kind"/> are read metadata-only under <paramref name="options"/>.</summary>
    public static bool Applies(ProtobufKind kind, DecodeOptions options) =>
        options.MetadataOnly && typeof(IMetadata<V1ObjectMeta>).IsAssignableFrom(kind.Type) && kind.ItemType is null;

    private static object Read(ref ProtoReader r, Type type)
    {
        var obj = (IMetadata<V1ObjectMeta>)Activator.CreateInstance(type)!;
        if (ReadMetadata(ref r) is { } metadata)
            obj.Metadata = metadata;
        return obj;
    }

    /// <summary>The metadata of a top-level message (field 1, merged if repeated), skipping every other field; null when absent.</summary>
    public static V1ObjectMeta? ReadMetadata(ref ProtoReader r)
    {
        V1ObjectMeta? meta = null;
        while (r.TryReadTag(out uint tag))
        {
            if (tag == ((1 << 3) | (uint)WireType.LengthDelimited))
            {
                r.Named("metadata");
                meta = ProtobufCodec.ReadV1ObjectMeta(ref r, meta);
            }
            else
            {
                r.SkipField(tag);
            }
        }
        return meta;
    }
}
