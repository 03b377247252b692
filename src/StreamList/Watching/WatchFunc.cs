using StreamList.Http;

namespace StreamList.Watching;

/// <summary>Opens one watch and streams its events until the server closes it. The informer's watch slot.</summary>
public delegate IAsyncEnumerable<WatchEvent<T>> WatchFunc<T>(WatchRequest request, CancellationToken cancellationToken);
