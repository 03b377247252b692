using System.Globalization;
using k8s.Models;

namespace StreamList.Testing.Server;

/// <summary>
/// The Status objects only a watch produces: 422 Invalid for query combinations the apiserver's
/// validation forbids, and the 410 Expired a watch from a compacted resourceVersion gets as its
/// one ERROR event (<c>too old resource version: requested (oldest)</c>, as the watch cache words it).
/// </summary>
internal static class WatchStatuses
{
    /// <summary>422 Invalid with one cause on <paramref name="field"/>, as the apiserver rejects a ListOptions field.</summary>
    public static V1Status Invalid(string field, string message) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta(),
        Status = "Failure",
        Message = string.Create(CultureInfo.InvariantCulture, $"ListOptions.meta.k8s.io \"\" is invalid: {field}: Forbidden: {message}"),
        Reason = "Invalid",
        Details = new V1StatusDetails
        {
            Kind = "ListOptions",
            Group = "meta.k8s.io",
            Causes = [new V1StatusCause { Reason = "FieldValueForbidden", Message = "Forbidden: " + message, Field = field }],
        },
        Code = 422,
    };

    /// <summary>The ERROR event's Status for a watch from <paramref name="requested"/> when history starts after <paramref name="oldest"/>.</summary>
    public static V1Status TooOld(long requested, long oldest) => StatusResponses.TooOldResourceVersion(requested, oldest);
}
