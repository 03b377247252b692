namespace StreamList.Testing.Server;

/// <summary>
/// What a LIST or WATCH request cost a real apiserver, by where it would be served; counted by
/// <see cref="FakeApiServer.CountRequests"/> so tests assert what a client asked for, not only where it ended.
/// </summary>
/// <remarks>
/// The split follows the apiserver's list delegation rules (<c>storage/cacher/delegator</c>): a list
/// at a resourceVersion with a <c>limit</c> and no <c>resourceVersionMatch</c> is an exact read. Before
/// 1.34 (or with the <c>ListFromCacheSnapshot</c> gate off) the apiserver sends every exact read to
/// etcd, and from 1.34 on those its watch cache holds no snapshot for: the thundering herd an
/// informer avoids by relisting without a limit.
/// </remarks>
public enum RequestKind
{
    /// <summary>A list served from the watch cache: <c>resourceVersion=0</c> (limit ignored), or a numeric
    /// resourceVersion without <c>limit</c> or with <c>resourceVersionMatch=NotOlderThan</c>.</summary>
    CacheList,

    /// <summary>A list at <c>resourceVersion=""</c> (or none): a consistent read of the newest state.</summary>
    ConsistentList,

    /// <summary>A list at an exact resourceVersion (etcd's work on servers before 1.34): <c>resourceVersionMatch=Exact</c>,
    /// or a numeric resourceVersion other than "0" with a <c>limit</c> and no <c>resourceVersionMatch</c>.</summary>
    ExactList,

    /// <summary>A page after the first (a <c>continue</c> token), read at the first page's resourceVersion.</summary>
    ContinueList,

    /// <summary>A watch (<c>watch=true</c>) without <c>sendInitialEvents=true</c>.</summary>
    Watch,

    /// <summary>A watch with <c>sendInitialEvents=true</c> that the server honours (a WatchList).</summary>
    WatchList,
}
