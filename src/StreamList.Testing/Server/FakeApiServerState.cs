using System.Text.Json.Serialization;

namespace StreamList.Testing.Server;

/// <summary>
/// What a <see cref="FakeApiServer"/> holds and serves now, as <c>GET /streamlist/state</c> answers
/// it (JSON, camelCase): enough for a client in another process to check that its store matches.
/// </summary>
/// <param name="ResourceVersion">The population's current resourceVersion.</param>
/// <param name="Count">Live pods.</param>
/// <param name="KeysSha256">The <see cref="StreamList.Testing.KeysSha256"/> of the current snapshot's pods.</param>
/// <param name="Watchers">Watches open now.</param>
/// <param name="SlowWatchersClosed">Watches closed so far because they read too slowly.</param>
/// <param name="Requests">LIST and WATCH requests received so far, by <see cref="RequestKind"/>.</param>
/// <param name="WatchesExpiredByCompaction">Watches that compactions ended with 410.</param>
public sealed record FakeApiServerState(
    [property: JsonPropertyName("resourceVersion")] string ResourceVersion,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("keysSha256")] string KeysSha256,
    [property: JsonPropertyName("watchers")] int Watchers,
    [property: JsonPropertyName("slowWatchersClosed")] long SlowWatchersClosed,
    [property: JsonPropertyName("requests")] RequestCounts Requests,
    [property: JsonPropertyName("watchesExpiredByCompaction")] long WatchesExpiredByCompaction);
