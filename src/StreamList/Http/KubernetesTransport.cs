using System.IO.Compression;
using System.IO.Pipelines;
using k8s;
using k8s.Authentication;

namespace StreamList.Http;

/// <summary>
/// Sends GET requests for streaming bodies through a KubernetesClient client's own HttpClient,
/// credentials and base URL (so TLS, tokens, exec plugins and proxies behave exactly as they do for
/// KubernetesClient), and returns the body as a <see cref="PipeReader"/>.
///
/// Contract: headers are read before returning (ResponseHeadersRead), so HttpClient's whole-request
/// timeout never cuts a long body; an idle-read timeout applies instead. A non-2xx answer becomes a
/// <see cref="KubernetesStatusException"/> (typed by its Status) before any body is returned.
/// </summary>
internal sealed class KubernetesTransport
{
    private readonly HttpClient _http;
    private readonly string _baseUri;
    private readonly ServiceClientCredentials? _credentials;
    private readonly StreamingOptions _options;

    public KubernetesTransport(HttpClient http, Uri baseUri, ServiceClientCredentials? credentials, StreamingOptions options)
    {
        _http = http;
        _baseUri = baseUri.ToString().TrimEnd('/');
        _credentials = credentials;
        _options = options;
    }

    /// <summary>Uses the HttpClient, base URL and credentials of a KubernetesClient <see cref="Kubernetes"/> client.</summary>
    public static KubernetesTransport From(IKubernetes client, StreamingOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client is not Kubernetes k)
            throw new ArgumentException($"StreamList needs the HttpClient of a k8s.Kubernetes client; got {client.GetType().Name}", nameof(client));
        return new KubernetesTransport(k.HttpClient, k.BaseUri, k.Credentials, options);
    }

    public StreamingOptions Options => _options;

    /// <summary>Sends a GET and returns the streaming response, or throws the server's Status.</summary>
    /// <param name="path">Collection path.</param>
    /// <param name="query">Query parameters.</param>
    /// <param name="accept">Accept header.</param>
    /// <param name="cancellationToken">Cancels the request and the body.</param>
    /// <param name="idleTimeout">Overrides <see cref="StreamingOptions.IdleReadTimeout"/> (a watch idles up to its server timeout).</param>
    public async Task<StreamingResponse> GetAsync(string path, IEnumerable<KeyValuePair<string, string>> query, string accept, CancellationToken cancellationToken, TimeSpan? idleTimeout = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(path, query))
        {
            Version = _options.HttpVersion,
            VersionPolicy = _options.HttpVersionPolicy,
        };
        request.Headers.Accept.ParseAdd(accept);
        if (_options.AcceptGzip)
            request.Headers.AcceptEncoding.ParseAdd("gzip");
        if (_credentials is not null)
            await _credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
                throw KubernetesStatusException.From(await StatusReader.ReadAsync(response, cancellationToken).ConfigureAwait(false));
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            body = new IdleTimeoutStream(body, idleTimeout ?? _options.IdleReadTimeout);
            if (response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase))
                body = new GZipStream(body, CompressionMode.Decompress);
            var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
            return new StreamingResponse(response, reader, response.Content.Headers.ContentType?.MediaType);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private Uri BuildUri(string path, IEnumerable<KeyValuePair<string, string>> query)
    {
        var sb = new System.Text.StringBuilder(_baseUri).Append(path);
        char sep = '?';
        foreach (var (k, v) in query)
        {
            sb.Append(sep).Append(k).Append('=').Append(Uri.EscapeDataString(v));
            sep = '&';
        }
        return new Uri(sb.ToString());
    }
}

/// <summary>A response whose body is being streamed; disposing it closes the connection's stream.</summary>
internal sealed class StreamingResponse(HttpResponseMessage response, PipeReader body, string? contentType) : IAsyncDisposable
{
    public PipeReader Body { get; } = body;

    public string? ContentType { get; } = contentType;

    public async ValueTask DisposeAsync()
    {
        await Body.CompleteAsync().ConfigureAwait(false);
        response.Dispose();
    }
}
