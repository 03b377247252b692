using StreamList.Http;

namespace StreamList.Listing;

/// <summary>
/// Lists one page (or the whole collection when the request has no limit), streaming items as they
/// arrive; <paramref name="progress"/> receives the list metadata and completion.
/// The informer's list slot: StreamList's streaming implementation, or any user-supplied one.
/// </summary>
public delegate IAsyncEnumerable<T> ListFunc<T>(ListRequest request, ListProgress progress, CancellationToken cancellationToken);
