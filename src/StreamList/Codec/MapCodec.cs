using k8s.Models;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Proto maps with string keys (entries <c>{key=1, value=2}</c>): string, bytes and Quantity values,
/// the only value types Kubernetes' built-in maps use. Written in key order (Go's byte-wise sort),
/// as the apiserver writes them. A missing key or value is the Go zero value. Entries are
/// collected in a <see cref="MapBuilder{TValue}"/>: the object gets a read-only map.
/// </summary>
internal static class MapCodec
{
    public static void ReadStringEntry(ref ProtoReader r, ref MapBuilder<string> map, bool intern)
    {
        int saved = r.EnterMessage();
        string key = "", value = "";
        while (r.TryReadTag(out uint tag))
        {
            switch (tag >> 3)
            {
                case 1:
                    r.Expect(tag, WireType.LengthDelimited, "key");
                    key = intern ? r.ReadInternedString() : r.ReadString();
                    break;
                case 2:
                    r.Expect(tag, WireType.LengthDelimited, "value");
                    value = intern ? r.ReadInternedString() : r.ReadString();
                    break;
                default:
                    r.SkipField(tag);
                    break;
            }
        }
        r.ExitMessage(saved);
        map.Add(key, value);
    }

    public static void ReadBytesEntry(ref ProtoReader r, ref MapBuilder<byte[]> map)
    {
        int saved = r.EnterMessage();
        string key = "";
        byte[] value = [];
        while (r.TryReadTag(out uint tag))
        {
            switch (tag >> 3)
            {
                case 1:
                    r.Expect(tag, WireType.LengthDelimited, "key");
                    key = r.ReadString();
                    break;
                case 2:
                    r.Expect(tag, WireType.LengthDelimited, "value");
                    value = r.ReadBytes();
                    break;
                default:
                    r.SkipField(tag);
                    break;
            }
        }
        r.ExitMessage(saved);
        map.Add(key, value);
    }

    public static void ReadQuantityEntry(ref ProtoReader r, ref MapBuilder<ResourceQuantity> map)
    {
        int saved = r.EnterMessage();
        string key = "";
        ResourceQuantity? value = null;
        while (r.TryReadTag(out uint tag))
        {
            switch (tag >> 3)
            {
                case 1:
                    r.Expect(tag, WireType.LengthDelimited, "key");
                    key = r.ReadInternedString();
                    break;
                case 2:
                    r.Expect(tag, WireType.LengthDelimited, "value");
                    value = QuantityCodec.Read(ref r);
                    break;
                default:
                    r.SkipField(tag);
                    break;
            }
        }
        value ??= QuantityCodec.Parse(ref r, "0"u8);
        r.ExitMessage(saved);
        map.Add(key, value);
    }

    public static void WriteStrings(ProtoWriter w, int field, IDictionary<string, string> map)
    {
        foreach (var key in SortedKeysDescending(map.Keys))
        {
            int mark = w.BeginMessage();
            w.WriteString(2, map[key] ?? "");
            w.WriteString(1, key);
            w.EndMessage(field, mark);
        }
    }

    public static void WriteBytes(ProtoWriter w, int field, IDictionary<string, byte[]> map)
    {
        foreach (var key in SortedKeysDescending(map.Keys))
        {
            int mark = w.BeginMessage();
            if (map[key] is { } value)
                w.WriteBytes(2, value);
            w.WriteString(1, key);
            w.EndMessage(field, mark);
        }
    }

    public static void WriteQuantities(ProtoWriter w, int field, IDictionary<string, ResourceQuantity> map)
    {
        foreach (var key in SortedKeysDescending(map.Keys))
        {
            int mark = w.BeginMessage();
            QuantityCodec.Write(w, 2, map[key]);
            w.WriteString(1, key);
            w.EndMessage(field, mark);
        }
    }

    private static string[] SortedKeysDescending(ICollection<string> keys)
    {
        var sorted = new string[keys.Count];
        keys.CopyTo(sorted, 0);
        Array.Sort(sorted, Utf8Order.Descending);
        return sorted;
    }
}
