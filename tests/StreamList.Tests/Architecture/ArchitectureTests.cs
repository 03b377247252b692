using StreamList.Codec;

namespace StreamList.Tests.Architecture;

/// <summary>
/// The library's namespaces depend one way, bottom to top as listed in <see cref="Layers"/>
/// (docs/architecture.md): a namespace may use the ones below it, never one above. Read from the compiled
/// assembly, so a reference in any method body counts.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Bottom first.</summary>
    private static readonly string[] Layers =
    [
        "StreamList.Memory",       // string pool, hashes, memory budget, relist gate
        "StreamList.Diagnostics",  // metrics and log messages
        "StreamList.Wire",         // protobuf wire format, envelopes, frames, wire errors
        "StreamList.Codec",        // Kubernetes objects <-> protobuf, decode options, item identity
        "StreamList.Sharding",     // shard selectors (KEP-5866), the hash, Lease membership
        "StreamList.Http",         // requests, media types, status errors, the transport
        "StreamList.Json",         // JSON framing and values
        "StreamList.Listing",      // list bodies, pages, progress
        "StreamList.Watching",     // watch bodies and events, ListWatch
        "StreamList",              // list and watch functions over IKubernetes
        "StreamList.Informers",    // reflector, store, handlers, factory
    ];

    private static readonly NamespaceGraph Graph =
        NamespaceGraph.Read(typeof(DecodeOptions).Assembly.Location, "StreamList");

    [Fact]
    public void Namespaces_depend_only_on_the_layers_below_them()
    {
        var backEdges = Graph.Edges
            .Where(e => Array.IndexOf(Layers, e.Key.From) <= Array.IndexOf(Layers, e.Key.To))
            .Select(e => $"{e.Key.From} -> {e.Key.To} ({e.Value})")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(backEdges.Count == 0, "references against the layer order:\n" + string.Join("\n", backEdges));
    }

    [Fact]
    public void No_namespace_depends_on_itself_through_others()
    {
        Assert.Empty(Graph.Cycles());
    }

    [Fact]
    public void Every_namespace_has_a_layer()
    {
        var namespaces = typeof(DecodeOptions).Assembly.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith("StreamList", StringComparison.Ordinal))
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.All(namespaces, n => Assert.Contains(n, Layers));
    }

    [Fact]
    public void The_graph_sees_references_in_method_bodies()
    {
        // Reflector<T> names ListProgress only inside its list method: the reading must see into bodies,
        // or the layer test above would pass on an assembly that breaks the order.
        Assert.Contains(("StreamList.Informers", "StreamList.Listing"), Graph.Edges.Keys);
        Assert.Contains(("StreamList.Informers", "StreamList.Diagnostics"), Graph.Edges.Keys);
    }
}
