using k8s.Models;

namespace StreamList.Http;

/// <summary>
/// The apiserver answered with a failure <see cref="V1Status"/> (a non-2xx list response, or a
/// watch ERROR event). Subclasses name the cases a reflector acts on; nothing here matches
/// message strings: the type follows from <see cref="V1Status.Code"/>, <see cref="V1Status.Reason"/>
/// and the status causes.
/// </summary>
public class KubernetesStatusException : Exception
{
    /// <summary>Creates the exception for a status.</summary>
    public KubernetesStatusException(V1Status status, Exception? inner = null)
        : base(Describe(status), inner) => Status = status;

    /// <summary>The status the server sent.</summary>
    public V1Status Status { get; }

    /// <summary>HTTP-style code from the status (0 when absent).</summary>
    public int Code => Status.Code ?? 0;

    /// <summary>The status reason (e.g. Expired, Timeout, NotFound), or null.</summary>
    public string? Reason => Status.Reason;

    /// <summary>Maps a failure status to the most specific exception type.</summary>
    public static KubernetesStatusException From(V1Status status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.Code == 410 || status.Reason is "Expired" or "Gone")
            return new ResourceExpiredException(status);
        if (status.Details?.Causes?.Any(c => c.Reason == "ResourceVersionTooLarge") == true)
            return new ResourceVersionTooLargeException(status);
        return new KubernetesStatusException(status);
    }

    private static string Describe(V1Status s) =>
        $"Kubernetes API status {s.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} {s.Reason}: {s.Message}";
}

/// <summary>HTTP 410 / reason Expired: the resourceVersion or continue token is too old (compacted). Relist.</summary>
public sealed class ResourceExpiredException(V1Status status) : KubernetesStatusException(status)
{
    /// <summary>A fresh continue token the server offered for an expired one, if any.</summary>
    public string? FreshContinue => Status.Metadata?.ContinueProperty;
}

/// <summary>HTTP 504 with cause ResourceVersionTooLarge: the requested resourceVersion is newer than the server has.</summary>
public sealed class ResourceVersionTooLargeException(V1Status status) : KubernetesStatusException(status);
