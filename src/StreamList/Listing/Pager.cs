using System.Runtime.CompilerServices;
using StreamList.Http;

namespace StreamList.Listing;

/// <summary>
/// Lists a whole collection page by page through a <see cref="ListFunc{T}"/>, streaming items
/// across pages, as client-go's pager does: pages of <c>limit</c> items linked by continue tokens
/// (resourceVersion is cleared on continue requests, as the apiserver requires); when a continue
/// token has expired (410), it falls back once to a full list at the original resourceVersion and
/// counts a restart in the progress (items already delivered may come again). A page whose list
/// function ended without <see cref="ListProgress.ReportComplete"/> fails the list.
/// </summary>
internal static class Pager
{
    public static async IAsyncEnumerable<T> ListAllAsync<T>(ListFunc<T> list, ListRequest request, int? pageSize, ListProgress progress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = pageSize is { } size ? request with { Limit = size } : request;
        while (true)
        {
            var page = new ListProgress();
            progress.AddPage();
            bool expired = false;
            long bytesSeen = 0;
            var items = list(next, page, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    try
                    {
                        if (!await items.MoveNextAsync().ConfigureAwait(false))
                            break;
                    }
                    catch (ResourceExpiredException) when (next.Continue is not null)
                    {
                        expired = true;
                        break;
                    }
                    progress.ReportBytes(page.Bytes - bytesSeen);
                    bytesSeen = page.Bytes;
                    progress.ReportItem();
                    yield return items.Current;
                }
            }
            finally
            {
                await items.DisposeAsync().ConfigureAwait(false);
            }
            progress.ReportBytes(page.Bytes - bytesSeen);
            if (expired)
            {
                progress.AddRestart();
                next = request with { Limit = null, Continue = null };
                continue;
            }
            if (!page.Complete)
                throw new InvalidOperationException("the list function ended without reporting the list complete (ListProgress.ReportComplete): a cut response must not look whole");
            progress.ReportMetadata(page.Metadata);
            string? token = page.Metadata?.ContinueProperty;
            if (string.IsNullOrEmpty(token))
            {
                progress.ReportComplete();
                yield break;
            }
            next = next with { Continue = token, ResourceVersion = null, ResourceVersionMatch = null };
        }
    }
}
