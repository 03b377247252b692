using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using StreamList.Codec;

namespace StreamList.Http;

/// <summary>
/// Turns a non-2xx response into the <see cref="V1Status"/> it carries (protobuf or JSON, by its
/// Content-Type), or, when the body is not a Status, one built from the HTTP status code.
/// The body read is bounded, so a misbehaving server cannot make this buffer without limit.
/// </summary>
internal static class StatusReader
{
    private const int MaxStatusBytes = 1 << 20;

    public static async Task<V1Status> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] body = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
        string? contentType = response.Content.Headers.ContentType?.MediaType;
        try
        {
            V1Status? status = MediaTypes.IsProtobuf(contentType) ? KubernetesProtobuf.Decode<V1Status>(body)
                : MediaTypes.IsJson(contentType) ? KubernetesJson.Deserialize<V1Status>(Encoding.UTF8.GetString(body))
                : null;
            if (status is { Kind: "Status" } or { Code: not null })
                return status;
        }
        catch (Exception e) when (e is Wire.KubernetesWireException or System.Text.Json.JsonException)
        {
            // Not a Status: fall through to one made from the HTTP response.
        }
        return new V1Status
        {
            Code = (int)response.StatusCode,
            Status = "Failure",
            Reason = ReasonFor(response.StatusCode),
            Message = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 512)))}",
        };
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while (buffer.Length < MaxStatusBytes && (n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            buffer.Write(chunk, 0, (int)Math.Min(n, MaxStatusBytes - buffer.Length));
        return buffer.ToArray();
    }

    private static string ReasonFor(HttpStatusCode code) => code switch
    {
        HttpStatusCode.Gone => "Expired",
        HttpStatusCode.NotFound => "NotFound",
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.GatewayTimeout => "Timeout",
        HttpStatusCode.TooManyRequests => "TooManyRequests",
        _ => "InternalError",
    };
}
