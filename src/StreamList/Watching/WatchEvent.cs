namespace StreamList.Watching;

/// <summary>
/// One decoded watch event. ERROR events are never delivered as events: their Status is thrown
/// as a <see cref="Http.KubernetesStatusException"/> (e.g. <see cref="Http.ResourceExpiredException"/>).
/// </summary>
/// <param name="Type">What happened.</param>
/// <param name="Object">The object (for a bookmark, only its metadata is set).</param>
public readonly record struct WatchEvent<T>(WatchEventKind Type, T Object);
