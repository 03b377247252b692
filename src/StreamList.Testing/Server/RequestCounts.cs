using System.Text.Json.Serialization;

namespace StreamList.Testing.Server;

/// <summary>LIST and WATCH requests a <see cref="FakeApiServer"/> received, by <see cref="RequestKind"/>.</summary>
/// <param name="CacheList">Lists served from the watch cache.</param>
/// <param name="ConsistentList">Lists at <c>resourceVersion=""</c>.</param>
/// <param name="ExactList">Exact reads delegated to etcd.</param>
/// <param name="ContinueList">Pages after the first.</param>
/// <param name="Watch">Plain watches.</param>
/// <param name="WatchList">WatchLists.</param>
public sealed record RequestCounts(
    [property: JsonPropertyName("cacheList")] long CacheList,
    [property: JsonPropertyName("consistentList")] long ConsistentList,
    [property: JsonPropertyName("exactList")] long ExactList,
    [property: JsonPropertyName("continueList")] long ContinueList,
    [property: JsonPropertyName("watch")] long Watch,
    [property: JsonPropertyName("watchList")] long WatchList);
