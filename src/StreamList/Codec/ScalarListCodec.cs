using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Repeated varint scalars, accepted packed (one length-delimited run) or unpacked (one tag per
/// element), as protobuf requires of every reader; and string-list wrapper messages
/// (<c>{repeated string items = 1}</c>), which KubernetesClient models as a plain list.
/// </summary>
internal static class ScalarListCodec
{
    private delegate T ScalarReader<T>(ref ProtoReader r);

    public static void ReadInt32(ref ProtoReader r, uint tag, ref ListBuilder<int> list) => Read(ref r, tag, ref list, static (ref ProtoReader x) => x.ReadInt32());

    public static void ReadInt32(ref ProtoReader r, uint tag, ref ListBuilder<int?> list) => Read<int?>(ref r, tag, ref list, static (ref ProtoReader x) => x.ReadInt32());

    public static void ReadInt64(ref ProtoReader r, uint tag, ref ListBuilder<long> list) => Read(ref r, tag, ref list, static (ref ProtoReader x) => x.ReadInt64());

    public static void ReadInt64(ref ProtoReader r, uint tag, ref ListBuilder<long?> list) => Read<long?>(ref r, tag, ref list, static (ref ProtoReader x) => x.ReadInt64());

    public static void ReadBool(ref ProtoReader r, uint tag, ref ListBuilder<bool> list) => Read(ref r, tag, ref list, static (ref ProtoReader x) => x.ReadBool());

    private static void Read<T>(ref ProtoReader r, uint tag, ref ListBuilder<T> list, ScalarReader<T> read)
    {
        if (IsPacked(tag))
        {
            int saved = r.EnterMessage();
            while (r.Position < r.Limit)
                list.Add(read(ref r));
            r.ExitMessage(saved);
        }
        else
        {
            RequireVarint(ref r, tag);
            list.Add(read(ref r));
        }
    }

    private static bool IsPacked(uint tag) => (WireType)(tag & 7) == WireType.LengthDelimited;

    private static void RequireVarint(ref ProtoReader r, uint tag)
    {
        if ((WireType)(tag & 7) != WireType.Varint)
            throw r.Error(WireErrorKind.WrongWireType, $"field {tag >> 3} has wire type {(WireType)(tag & 7)}, schema says Varint or packed");
    }

    public static IList<string> ReadStringListWrapper(ref ProtoReader r)
    {
        int saved = r.EnterMessage();
        var items = new ListBuilder<string>();
        while (r.TryReadTag(out uint tag))
        {
            if (tag >> 3 == 1)
            {
                r.Expect(tag, WireType.LengthDelimited, "items");
                items.Add(r.ReadInternedString());
            }
            else
            {
                r.SkipField(tag);
            }
        }
        r.ExitMessage(saved);
        return items.Build(null) ?? ReadOnlyList<string>.Empty;
    }

    public static void WriteStringListWrapper(ProtoWriter w, int field, IList<string>? items)
    {
        int mark = w.BeginMessage();
        if (items is not null)
        {
            for (int i = items.Count - 1; i >= 0; i--)
                w.WriteString(1, items[i] ?? "");
        }
        w.EndMessage(field, mark);
    }
}
