using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// metav1.Time and metav1.MicroTime ↔ <see cref="DateTime"/> (UTC), as KubernetesClient holds them.
/// Time carries whole seconds (the apiserver ignores nanos on read and writes 0); MicroTime keeps
/// microseconds. An empty message, or Go's zero time, is <c>null</c> (JSON <c>null</c>).
/// </summary>
internal static class TimeCodec
{
    // Go's zero time.Time, 0001-01-01T00:00:00Z, in Unix seconds: what a zero value marshals to.
    private const long GoZeroUnixSeconds = -62135596800;
    private static readonly long MaxUnixSeconds = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond;

    public static DateTime? ReadTime(ref ProtoReader r) => Read(ref r, micro: false);

    public static DateTime? ReadMicroTime(ref ProtoReader r) => Read(ref r, micro: true);

    private static DateTime? Read(ref ProtoReader r, bool micro)
    {
        int saved = r.EnterMessage();
        bool any = false;
        long seconds = 0;
        int nanos = 0;
        while (r.TryReadTag(out uint tag))
        {
            switch (tag >> 3)
            {
                case 1:
                    r.Expect(tag, WireType.Varint, "seconds");
                    seconds = r.ReadInt64();
                    any = true;
                    break;
                case 2:
                    r.Expect(tag, WireType.Varint, "nanos");
                    nanos = r.ReadInt32();
                    any = true;
                    break;
                default:
                    r.SkipField(tag);
                    break;
            }
        }
        if (any && (seconds < GoZeroUnixSeconds || seconds > MaxUnixSeconds || nanos is < 0 or > 999_999_999))
        {
            r.Named(seconds < GoZeroUnixSeconds || seconds > MaxUnixSeconds ? "seconds" : "nanos");
            throw r.Error(WireErrorKind.InvalidValue, $"time {seconds}s {nanos}ns is outside 0001-9999");
        }
        r.ExitMessage(saved);
        if (!any || (seconds == GoZeroUnixSeconds && (nanos == 0 || !micro)))
            return null;
        long ticks = DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond;
        if (micro)
            ticks += nanos / 1000 * 10;
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    public static void WriteTime(ProtoWriter w, int field, DateTime? value) => Write(w, field, value, micro: false);

    public static void WriteMicroTime(ProtoWriter w, int field, DateTime? value) => Write(w, field, value, micro: true);

    private static void Write(ProtoWriter w, int field, DateTime? value, bool micro)
    {
        int mark = w.BeginMessage();
        if (value is { } t && t != DateTime.MinValue)
        {
            var utc = t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
            long ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
            long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
            if (rem < 0)
            {
                seconds--;
                rem += TimeSpan.TicksPerSecond;
            }
            int nanos = micro ? (int)(rem / 10 * 1000) : 0;
            w.WriteInt32(2, nanos);
            w.WriteInt64(1, seconds);
        }
        w.EndMessage(field, mark);
    }
}
