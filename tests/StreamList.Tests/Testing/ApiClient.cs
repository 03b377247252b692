using System.Net;
using System.Net.Http.Headers;
using StreamList.Testing.Server;

namespace StreamList.Tests.Testing;

/// <summary>A plain HttpClient pointed at a fake server, HTTP/1.1 or h2c (prior knowledge).</summary>
internal sealed class ApiClient : IDisposable
{
    public const string ProtobufFirst = "application/vnd.kubernetes.protobuf, application/json";
    public const string Json = "application/json";

    private ApiClient(HttpClient http) => Http = http;

    public HttpClient Http { get; }

    public static ApiClient For(FakeApiServer server, bool http2 = false, DecompressionMethods decompression = DecompressionMethods.None)
    {
        var handler = new SocketsHttpHandler { AutomaticDecompression = decompression };
        var http = new HttpClient(handler)
        {
            BaseAddress = server.BaseAddress,
            DefaultRequestVersion = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
        return new ApiClient(http);
    }

    public async Task<Reply> GetAsync(string pathAndQuery, string? accept = ProtobufFirst, bool gzip = false)
    {
        using var request = Request(pathAndQuery);
        if (accept is not null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        if (gzip)
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType,
            string.Join(",", response.Content.Headers.ContentEncoding), body, response.Version);
    }

    /// <summary>Reads a response whose body the server cuts off: the bytes that arrived, and the error.</summary>
    public async Task<(HttpStatusCode Status, byte[] Received, Exception? Error)> GetBrokenAsync(string pathAndQuery, string? accept = ProtobufFirst)
    {
        using var request = Request(pathAndQuery);
        if (accept is not null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var received = new MemoryStream();
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            await stream.CopyToAsync(received);
            return (response.StatusCode, received.ToArray(), null);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return (response.StatusCode, received.ToArray(), e);
        }
    }

    public void Dispose() => Http.Dispose();

    private HttpRequestMessage Request(string pathAndQuery) => new(HttpMethod.Get, pathAndQuery)
    {
        Version = Http.DefaultRequestVersion,
        VersionPolicy = Http.DefaultVersionPolicy,
    };

    public sealed record Reply(HttpStatusCode Status, string? ContentType, string ContentEncoding, byte[] Body, Version Version);
}
