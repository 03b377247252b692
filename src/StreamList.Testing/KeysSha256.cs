using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace StreamList.Testing;

/// <summary>
/// <c>keysSha256</c> (docs/fixture.md): one short fingerprint of what a store holds, so a test can
/// compare a client's store with the server's population without shipping the objects. It is the
/// SHA-256, as lowercase hex, of the lines <c>namespace/name resourceVersion\n</c> (just
/// <c>name resourceVersion\n</c> for an object without a namespace), one per object, sorted
/// ordinally by their UTF-8 bytes. Order of the input does not matter; duplicates count twice.
/// </summary>
public static class KeysSha256
{
    /// <summary>The fingerprint of objects given as (namespace, name, resourceVersion).</summary>
    public static string Compute(IEnumerable<(string? Namespace, string Name, string? ResourceVersion)> keys)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in SortedLines(keys))
            hash.AppendData(line);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Writes the lines the fingerprint hashes, in its order, as UTF-8: the SHA-256 of what was written is the fingerprint.</summary>
    public static async Task WriteLinesAsync(IEnumerable<V1ObjectMeta> metadata, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(destination);
        foreach (var line in SortedLines(Keys(metadata)))
            await destination.WriteAsync(line, cancellationToken).ConfigureAwait(false);
    }

    private static List<byte[]> SortedLines(IEnumerable<(string? Namespace, string Name, string? ResourceVersion)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var lines = new List<byte[]>(keys.TryGetNonEnumeratedCount(out int n) ? n : 0);
        foreach (var (ns, name, rv) in keys)
        {
            string line = string.IsNullOrEmpty(ns) ? $"{name} {rv}\n" : $"{ns}/{name} {rv}\n";
            lines.Add(Encoding.UTF8.GetBytes(line));
        }
        lines.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
        return lines;
    }

    private static IEnumerable<(string? Namespace, string Name, string? ResourceVersion)> Keys(IEnumerable<V1ObjectMeta> metadata) =>
        metadata.Select(static m => ((string?)m.NamespaceProperty, m.Name ?? "", (string?)m.ResourceVersion));

    /// <summary>The fingerprint of objects by their metadata (namespace, name, resourceVersion).</summary>
    public static string Compute(IEnumerable<V1ObjectMeta> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return Compute(Keys(metadata));
    }

    /// <summary>The fingerprint of Kubernetes objects (pods, config maps, ...).</summary>
    public static string Compute<T>(IEnumerable<T> objects)
        where T : IMetadata<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(objects);
        return Compute(objects.Select(static o => o.Metadata ?? new V1ObjectMeta()));
    }
}
