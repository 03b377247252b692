using StreamList.Http;
using StreamList.Watching;

namespace StreamList.Listing;

/// <summary>
/// Lists one page (or the whole collection when the request has no limit), streaming items as they
/// arrive; <paramref name="progress"/> receives the list metadata and completion.
/// The informer's list slot: StreamList's streaming implementation, or any user-supplied one.
/// </summary>
public delegate IAsyncEnumerable<T> ListFunc<T>(ListRequest request, ListProgress progress, CancellationToken cancellationToken);

/// <summary>Opens one watch and streams its events until the server closes it. The informer's watch slot.</summary>
public delegate IAsyncEnumerable<WatchEvent<T>> WatchFunc<T>(WatchRequest request, CancellationToken cancellationToken);

/// <summary>A list function and a watch function over the same collection.</summary>
/// <param name="List">Lists pages of the collection.</param>
/// <param name="Watch">Watches the collection.</param>
public sealed record ListWatch<T>(ListFunc<T> List, WatchFunc<T> Watch);
