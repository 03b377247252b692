using StreamList.Listing;

namespace StreamList.Watching;

/// <summary>A list function and a watch function over the same collection.</summary>
/// <param name="List">Lists pages of the collection.</param>
/// <param name="Watch">Watches the collection.</param>
public sealed record ListWatch<T>(ListFunc<T> List, WatchFunc<T> Watch);
