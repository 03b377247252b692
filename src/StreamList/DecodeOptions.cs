using StreamList.Memory;
using StreamList.Wire;

namespace StreamList;

/// <summary>Options every StreamList decoder takes.</summary>
public sealed record DecodeOptions
{
    /// <summary>Defaults: no interning, depth 64, 16 MiB per object.</summary>
    public static DecodeOptions Default { get; } = new();

    /// <summary>
    /// When set, strings that repeat across a cluster (namespaces, labels, images, node names,
    /// condition types, field managers) and parsed quantities are shared through this pool.
    /// </summary>
    public Utf8StringPool? Strings { get; init; }

    /// <summary>Deepest message nesting accepted (at most 64).</summary>
    public int MaxDepth { get; init; } = DecodeLimits.DefaultMaxDepth;

    /// <summary>Largest single object, list item or watch frame accepted, checked before it is buffered.</summary>
    public int MaxMessageBytes { get; init; } = DecodeLimits.DefaultMaxMessageBytes;
}
