using System.Globalization;
using k8s.Models;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// intstr.IntOrString {type, intVal, strVal} ↔ KubernetesClient's <see cref="IntOrString"/>,
/// which keeps only a string: it writes a value that parses as an int32 as an int, anything else
/// as a string (so a string "80" re-encodes as int 80, as KubernetesClient's JSON would).
/// </summary>
internal static class IntOrStringCodec
{
    public static IntOrString Read(ref ProtoReader r)
    {
        int saved = r.EnterMessage();
        long type = 0;
        int intVal = 0;
        string strVal = "";
        while (r.TryReadTag(out uint tag))
        {
            switch (tag >> 3)
            {
                case 1:
                    r.Expect(tag, WireType.Varint, "type");
                    type = r.ReadInt64();
                    break;
                case 2:
                    r.Expect(tag, WireType.Varint, "intVal");
                    intVal = r.ReadInt32();
                    break;
                case 3:
                    r.Expect(tag, WireType.LengthDelimited, "strVal");
                    strVal = r.ReadInternedString();
                    break;
                default:
                    r.SkipField(tag);
                    break;
            }
        }
        r.ExitMessage(saved);
        return type == 1 ? (IntOrString)strVal : FromInt(intVal);
    }

    // IntOrString is immutable (its value is set only by construction): the ports and
    // percentages that fill a cluster's probes and rollouts can share instances.
    private static readonly IntOrString?[] s_small = new IntOrString?[65536];

    private static IntOrString FromInt(int value)
    {
        if ((uint)value >= (uint)s_small.Length)
            return value;
        return Volatile.Read(ref s_small[value]) ?? (s_small[value] = value);
    }

    public static void Write(ProtoWriter w, int field, IntOrString? value)
    {
        int mark = w.BeginMessage();
        string s = value?.Value ?? "0";
        if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) && i.ToString(CultureInfo.InvariantCulture) == s)
        {
            w.WriteString(3, "");
            w.WriteInt32(2, i);
            w.WriteInt64(1, 0);
        }
        else
        {
            w.WriteString(3, s);
            w.WriteInt32(2, 0);
            w.WriteInt64(1, 1);
        }
        w.EndMessage(field, mark);
    }
}
