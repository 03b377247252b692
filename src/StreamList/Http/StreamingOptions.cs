using StreamList.Codec;

namespace StreamList.Http;

/// <summary>How StreamList talks to the apiserver. Defaults suit a large cluster.</summary>
public sealed record StreamingOptions
{
    /// <summary>Defaults.</summary>
    public static StreamingOptions Default { get; } = new();

    /// <summary>Ask for protobuf for built-in types (the server answers JSON when it cannot; the response's Content-Type decides).</summary>
    public bool PreferProtobuf { get; init; } = true;

    /// <summary>Ask for gzip-compressed responses.</summary>
    public bool AcceptGzip { get; init; }

    /// <summary>
    /// A streaming body has no whole-request timeout (a 500k-pod list takes minutes); instead a read
    /// that gets no bytes for this long fails with <see cref="TimeoutException"/>.
    /// </summary>
    public TimeSpan IdleReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Page size for paged lists (client-go's pager uses 500); null lists in one request.</summary>
    public int? PageSize { get; init; }

    /// <summary>HTTP version asked for, as KubernetesClient does (2.0, falling back to 1.1 where the server or a cleartext URL needs it).</summary>
    public Version HttpVersion { get; init; } = System.Net.HttpVersion.Version20;

    /// <summary>How strictly <see cref="HttpVersion"/> applies; <see cref="HttpVersionPolicy.RequestVersionExact"/> with 2.0 gives h2c (HTTP/2 without TLS) by prior knowledge.</summary>
    public HttpVersionPolicy HttpVersionPolicy { get; init; } = HttpVersionPolicy.RequestVersionOrLower;

    /// <summary>Decoder limits and string interning.</summary>
    public DecodeOptions Decode { get; init; } = DecodeOptions.Default;
}
