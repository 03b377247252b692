using StreamList.Watching;

namespace StreamList.Testing.Server;

/// <summary>
/// One population change as the watch machinery carries it: the change itself (read-only, shared
/// by the history and every watcher) and its encoded event, made at most once per encoding by
/// the first watcher that writes it (never by the dispatcher, which runs under the population's
/// writer lock). Memory: the history holds at most <see cref="FakeApiServerOptions.WatchHistorySize"/>
/// records, each with its pod and up to one protobuf frame and one JSON line.
/// </summary>
internal sealed class WatchRecord(PodChange change)
{
    private byte[]? _protobuf;
    private byte[]? _json;

    public PodChange Change { get; } = change;

    public long ResourceVersion => Change.ResourceVersion;

    /// <summary>The watch event type: ADDED, MODIFIED or DELETED.</summary>
    public string Type => TypeName(Change.Type);

    /// <summary>The encoded event (a racing second encoding is harmless: both are equal).</summary>
    public byte[] Encoded(BodyEncoding encoding) => encoding == BodyEncoding.Protobuf
        ? _protobuf ??= WatchEventWriter.Encode(encoding, Type, Change.Pod)
        : _json ??= WatchEventWriter.Encode(encoding, Type, Change.Pod);

    public static string TypeName(WatchEventKind kind) => kind switch
    {
        WatchEventKind.Added => "ADDED",
        WatchEventKind.Modified => "MODIFIED",
        WatchEventKind.Deleted => "DELETED",
        WatchEventKind.Bookmark => "BOOKMARK",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a watch event type"),
    };
}
