using System.Runtime.InteropServices;
using System.Text.Json;

namespace StreamList.Codec;

/// <summary>
/// Shares one parsed <see cref="JsonElement"/> per distinct FieldsV1 / RawExtension JSON value,
/// process-wide: the managedFields of a workload's replicas repeat byte for byte, and parsing them
/// is the largest single cost of decoding a pod. A JsonElement is immutable, so objects may share
/// one (boxed once, so sharing costs no allocation either).
///
/// Contract: direct-mapped and bounded (a collision replaces the older entry); values over
/// <see cref="MaxBytes"/> are never cached; a hit is verified byte for byte against the cached
/// element's own raw text. Lock-free: entries are immutable.
/// </summary>
internal static class JsonValueCache
{
    /// <summary>Largest JSON value cached, in bytes.</summary>
    public const int MaxBytes = 4096;

    private static readonly Entry?[] s_table = new Entry?[4096];

    /// <summary>Looks <paramref name="json"/> up; on a miss, <paramref name="slot"/> is where <see cref="Add"/> puts it.</summary>
    public static bool TryGet(ReadOnlySpan<byte> json, out object? element, out int slot)
    {
        var table = s_table;
        var hash = new HashCode();
        hash.AddBytes(json);
        slot = (int)((uint)hash.ToHashCode() % (uint)table.Length);
        var entry = Volatile.Read(ref table[slot]);
        if (entry is not null && JsonMarshal.GetRawUtf8Value((JsonElement)entry.Element).SequenceEqual(json))
        {
            element = entry.Element;
            return true;
        }
        element = null;
        return false;
    }

    /// <summary>Caches a boxed <see cref="JsonElement"/> in the slot <see cref="TryGet"/> gave.</summary>
    public static void Add(int slot, object element) => Volatile.Write(ref s_table[slot], new Entry(element));

    private sealed record Entry(object Element);
}
