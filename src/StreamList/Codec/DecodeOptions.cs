using StreamList.Memory;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>Options every StreamList decoder takes.</summary>
public sealed record DecodeOptions
{
    /// <summary>Defaults: interning through <see cref="Utf8StringPool.Shared"/>, depth 64, 16 MiB per object.</summary>
    public static DecodeOptions Default { get; } = new();

    /// <summary>The defaults without string interning: every decoded string is a fresh instance (but those of parts shared through <see cref="ShareParts"/>).</summary>
    public static DecodeOptions NoInterning { get; } = new() { Strings = null };

    /// <summary>
    /// Strings that repeat across a cluster (namespaces, labels, images, node names, condition types,
    /// field managers) are shared through this bounded pool (in JSON bodies, where fields are not
    /// told apart, every short string goes through it; the pool admits a value only on its second
    /// sighting, so unique values do not displace shared ones): the process-wide
    /// <see cref="Utf8StringPool.Shared"/> unless set; null turns interning off.
    /// </summary>
    public Utf8StringPool? Strings { get; init; } = Utf8StringPool.Shared;

    /// <summary>Deepest message nesting accepted (at most 64).</summary>
    public int MaxDepth { get; init; } = DecodeLimits.DefaultMaxDepth;

    /// <summary>
    /// Decode only each object's metadata (protobuf bodies; the rest is skipped, never built): for
    /// controllers that need names, labels and owners but not specs, at a fraction of the memory.
    /// </summary>
    public bool MetadataOnly { get; init; }

    /// <summary>
    /// Skip each object's own metadata.managedFields while decoding (protobuf bodies; JSON bodies
    /// keep them): the entries are never built, so an object costs neither their parse (FieldsV1 is
    /// JSON inside the protobuf) nor their memory. Exactly what <c>Transforms.DropManagedFields</c>
    /// does to each object after a decode (a list's items are objects; a template's or an embedded
    /// object's metadata keeps them), done during it; an informer with that transform asks its list
    /// and watch for it (<see cref="Http.ListRequest.SkipManagedFields"/>).
    /// </summary>
    public bool SkipManagedFields { get; init; }

    /// <summary>
    /// Decode each part that objects repeat byte for byte once, and let every object holding it
    /// share that one instance (protobuf bodies): env vars, probes, resources, ports, volume mounts,
    /// volume sources, tolerations, security contexts, owner references. Replicas of a workload
    /// repeat most of their spec, so a cache of them costs fewer objects and less decoding. The
    /// objects must then never be changed — changing a shared part changes it in every object
    /// holding it, and in later decodes — which is the rule for an informer's cached objects anyway
    /// (<see cref="Informers.IStore{T}"/>): an informer asks its list and watch for it, or not
    /// (<see cref="Http.ListRequest.ShareParts"/>, which the built-in list and watch functions follow
    /// over these options), and its compact store reads with it.
    /// <see cref="KubernetesObjects.DeepCopy{T}"/> gives an object that may be changed.
    /// </summary>
    public bool ShareParts { get; init; }

    /// <summary>
    /// Keep an object's own metadata.managedFields as their bytes and decode them when an element is
    /// first asked for (<see cref="DeferredManagedFields"/>): a compact store's reads, which most
    /// callers make without looking at managedFields. Object bodies only (not lists).
    /// </summary>
    internal bool DeferManagedFields { get; init; }

    /// <summary>Largest single object, list item or watch frame accepted, checked before it is buffered.</summary>
    public int MaxMessageBytes { get; init; } = DecodeLimits.DefaultMaxMessageBytes;

    /// <summary>
    /// These options as a request asks for them: skipping managedFields too (<see cref="Http.ListRequest.SkipManagedFields"/>),
    /// sharing parts or not when the request says (<see cref="Http.ListRequest.ShareParts"/>; null: as these options say).
    /// </summary>
    internal DecodeOptions ForRequest(bool skipManagedFields, bool? shareParts)
    {
        bool skip = SkipManagedFields || skipManagedFields;
        bool share = shareParts ?? ShareParts;
        return skip == SkipManagedFields && share == ShareParts ? this : this with { SkipManagedFields = skip, ShareParts = share };
    }

    /// <summary>
    /// A reader over <paramref name="data"/> (at <paramref name="offset"/> in the body) with these
    /// options; <paramref name="list"/>: the message is a list, whose items are the objects.
    /// </summary>
    internal ProtoReader Reader(ReadOnlySpan<byte> data, long offset = 0, bool list = false) =>
        new(data, offset, Strings, MaxDepth, !SkipManagedFields ? 0 : list ? 2 : 1, ShareParts, DeferManagedFields && !list ? 1 : 0);
}
