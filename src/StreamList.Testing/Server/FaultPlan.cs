namespace StreamList.Testing.Server;

/// <summary>
/// Failures the fake server injects into the next list requests, one count per fault. Set
/// <see cref="FakeApiServer.Faults"/> at any time (e.g. <c>server.Faults = FaultPlan.None with
/// { ExpiredLists = 1 }</c>); each request that takes a fault atomically replaces the plan with
/// one whose count is one lower. Checked in this order: <see cref="InternalErrors"/>, then
/// <see cref="ExpiredContinues"/> (requests with a continue token) or <see cref="ExpiredLists"/>
/// (requests without), and, once the request would succeed, <see cref="ResetsAtBodyStart"/>
/// and <see cref="TruncatedBodies"/>. Watches check <see cref="ExpiredWatches"/> first, then
/// take at most one of <see cref="WatchResets"/> or <see cref="WatchCloses"/> (in that order).
/// Use <see cref="int.MaxValue"/> for "always".
/// </summary>
public sealed record FaultPlan
{
    /// <summary>No faults.</summary>
    public static FaultPlan None { get; } = new();

    /// <summary>Lists answered <c>500 InternalError</c> with a Status body.</summary>
    public int InternalErrors { get; init; }

    /// <summary>Lists without a continue token answered <c>410 Expired</c> ("too old resource version").</summary>
    public int ExpiredLists { get; init; }

    /// <summary>Lists with a continue token answered <c>410 Expired</c>.</summary>
    public int ExpiredContinues { get; init; }

    /// <summary>Whether an expired continue's Status carries a fresh token (resuming at the current version) in <c>metadata.continue</c>.</summary>
    public bool FreshContinueOnExpired { get; init; } = true;

    /// <summary>Lists whose connection is reset right after the response headers, before any body byte.</summary>
    public int ResetsAtBodyStart { get; init; }

    /// <summary>Lists whose body stops in the middle of item <see cref="TruncateAfterItems"/> (0-based) and whose connection is then aborted.</summary>
    public int TruncatedBodies { get; init; }

    /// <summary>Complete items sent before a truncated body breaks off (0 = inside the first item).</summary>
    public int TruncateAfterItems { get; init; }

    /// <summary>Watches answered <c>200</c> with one ERROR event (Status 410 Expired, "too old resource version") and closed.</summary>
    public int ExpiredWatches { get; init; }

    /// <summary>Watches whose connection is aborted after <see cref="WatchResetsAfterEvents"/> events.</summary>
    public int WatchResets { get; init; }

    /// <summary>Events (ADDED, MODIFIED, DELETED; bookmarks not counted) a reset watch sends before its connection is aborted (0 = right after the headers).</summary>
    public int WatchResetsAfterEvents { get; init; }

    /// <summary>Watches that end normally (as on a server timeout) after <see cref="WatchCloseAfterEvents"/> events.</summary>
    public int WatchCloses { get; init; }

    /// <summary>Events (bookmarks not counted) a closed watch sends before it ends (0 = right after the headers).</summary>
    public int WatchCloseAfterEvents { get; init; }
}
