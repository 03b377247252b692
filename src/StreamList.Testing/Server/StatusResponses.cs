using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using StreamList.Codec;

namespace StreamList.Testing.Server;

/// <summary>
/// The apiserver's failure Status objects for the cases the fake server produces (codes, reasons
/// and causes per docs/wire.md), and writing one as the response body in the negotiated encoding:
/// protobuf (envelope v1 Status) or JSON.
/// </summary>
internal static class StatusResponses
{
    public static V1Status Expired(string message, string? freshContinue = null) =>
        Failure(410, "Expired", message, metadata: freshContinue is null ? null : new V1ListMeta { ContinueProperty = freshContinue });

    public static V1Status TooOldResourceVersion(long requested, long current) =>
        Expired(string.Create(CultureInfo.InvariantCulture, $"too old resource version: {requested} ({current})"));

    public static V1Status ExpiredContinue(string? freshContinue) => Expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        freshContinue);

    public static V1Status ResourceVersionTooLarge(long requested, long current) => Failure(504, "Timeout",
        string.Create(CultureInfo.InvariantCulture, $"Timeout: Too large resource version: {requested}, current: {current}"),
        new V1StatusDetails
        {
            Causes = [new V1StatusCause { Reason = "ResourceVersionTooLarge", Message = "Too large resource version" }],
            RetryAfterSeconds = 1,
        });

    public static V1Status InternalError(string message) => Failure(500, "InternalError", "Internal error occurred: " + message,
        new V1StatusDetails { Causes = [new V1StatusCause { Message = message }] });

    public static V1Status BadRequest(string message) => Failure(400, "BadRequest", message);

    /// <summary>A write refused: <c>NotFound</c> (404), <c>AlreadyExists</c> or <c>Conflict</c> (409), with the object's name and kind.</summary>
    public static V1Status Refused(string reason, string message, string? name, string plural) => Failure(reason == "NotFound" ? 404 : 409, reason, message,
        new V1StatusDetails { Name = name, Kind = plural });

    /// <summary>What a successful delete answers.</summary>
    public static V1Status Success(string name, string plural) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta(),
        Status = "Success",
        Details = new V1StatusDetails { Name = name, Kind = plural },
        Code = 200,
    };

    public static V1Status NotFound(string path) => Failure(404, "NotFound", $"the server could not find the requested resource ({path})",
        new V1StatusDetails());

    public static V1Status MethodNotAllowed(string method) => Failure(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({method})");

    public static V1Status NotAcceptable(string? accept) => Failure(406, "NotAcceptable",
        $"the server was unable to respond with a content type that the client supports (accept: {accept})");

    /// <summary>Writes <paramref name="status"/> as the whole response (status code from <see cref="V1Status.Code"/>).</summary>
    public static async Task WriteAsync(HttpContext context, V1Status status, BodyEncoding encoding, CancellationToken cancellationToken)
    {
        var body = Encode(status, encoding);
        var response = context.Response;
        response.StatusCode = status.Code ?? 500;
        response.ContentType = ContentNegotiation.MediaType(encoding);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    public static byte[] Encode(V1Status status, BodyEncoding encoding)
    {
        if (encoding == BodyEncoding.Protobuf)
            return KubernetesProtobuf.Encode(status);
        // KubernetesClient's V1Status converter cannot write, so the fields go one by one.
        return Encoding.UTF8.GetBytes(KubernetesJson.Serialize(new
        {
            kind = "Status",
            apiVersion = "v1",
            metadata = status.Metadata ?? new V1ListMeta(),
            status = status.Status,
            message = status.Message,
            reason = status.Reason,
            details = status.Details,
            code = status.Code,
        }));
    }

    private static V1Status Failure(int code, string reason, string message, V1StatusDetails? details = null, V1ListMeta? metadata = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = metadata ?? new V1ListMeta(),
        Status = "Failure",
        Message = message,
        Reason = reason,
        Details = details,
        Code = code,
    };
}
