namespace StreamList.Testing.Server;

/// <summary>
/// HTTP versions the fake server accepts on its cleartext endpoint. HTTP/2 is h2c by prior
/// knowledge; with both flags one endpoint serves both, telling them apart by the HTTP/2
/// connection preface (which Kestrel 10 alone does not do on cleartext).
/// </summary>
[Flags]
public enum ServerProtocols
{
    /// <summary>HTTP/1.1.</summary>
    Http1 = 1,

    /// <summary>HTTP/2 without TLS: the client must send HTTP/2 straight away (HttpVersion 2.0 with RequestVersionExact).</summary>
    Http2 = 2,
}
