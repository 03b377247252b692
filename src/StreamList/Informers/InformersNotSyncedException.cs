namespace StreamList.Informers;

/// <summary>
/// A wait for informers to sync was cancelled or timed out while some had not synced: names each one,
/// how often its list or watch failed, and its last error (a 404 for a resource the server does not
/// serve, a 403 while RBAC propagates, a refused connection…). It is an
/// <see cref="OperationCanceledException"/>, so code that catches cancellation still does.
/// </summary>
public sealed class InformersNotSyncedException : OperationCanceledException
{
    /// <summary>Creates the exception for <paramref name="informers"/>, cancelled through <paramref name="token"/>.</summary>
    public InformersNotSyncedException(IReadOnlyList<UnsyncedInformer> informers, CancellationToken token)
        : base(Describe(informers), token)
    {
        Informers = informers;
    }

    /// <summary>The informers that had not synced.</summary>
    public IReadOnlyList<UnsyncedInformer> Informers { get; }

    private static string Describe(IReadOnlyList<UnsyncedInformer> informers)
    {
        ArgumentNullException.ThrowIfNull(informers);
        var each = informers.Select(i => i.LastError is { } e
            ? $"{i.Name} ({i.Failures} failures; last: {e.GetType().Name}: {e.Message})"
            : $"{i.Name} (no failure yet)");
        return $"{informers.Count} informer{(informers.Count == 1 ? "" : "s")} did not sync: {string.Join("; ", each)}";
    }
}

/// <summary>One informer that had not synced when a wait ended.</summary>
/// <param name="Name">The informer's name (<c>V1Pod</c>, <c>V1Node</c>, <c>V1Pod/namespace</c>).</param>
/// <param name="Failures">Failed lists and watches so far.</param>
/// <param name="LastError">The last failure, or null if none yet (the list is still running).</param>
public sealed record UnsyncedInformer(string Name, long Failures, Exception? LastError);
