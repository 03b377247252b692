namespace StreamList.Testing.Server;

/// <summary>
/// How the fake server answers a WatchList request (<c>watch=true&amp;sendInitialEvents=true&amp;resourceVersionMatch=NotOlderThan</c>),
/// to play each kind of apiserver a client meets (docs/wire.md, "WatchList").
/// </summary>
public enum WatchListMode
{
    /// <summary>A current server: synthetic ADDED events for the current state, then a BOOKMARK annotated <c>k8s.io/initial-events-end: "true"</c>, then live events.</summary>
    Supported,

    /// <summary>An old server that does not know the parameters: <c>sendInitialEvents</c> and <c>resourceVersionMatch</c> are ignored (RV "" still starts with ADDED events), and the end bookmark never comes.</summary>
    Ignored,

    /// <summary>A server with the feature off: any <c>sendInitialEvents</c> is answered 422 Invalid.</summary>
    Rejected,
}
