namespace StreamList.Testing.Server;

/// <summary>One request the fake server answered, for tests to assert on what a client sent.</summary>
/// <param name="Number">1-based order of arrival.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="Query">Query string, with its leading '?', or empty.</param>
/// <param name="Protocol">HTTP/1.1 or HTTP/2.</param>
/// <param name="Accept">The Accept header, if any.</param>
/// <param name="AcceptEncoding">The Accept-Encoding header, if any.</param>
/// <param name="StatusCode">The status code sent (200 even when the body was then cut off by a fault).</param>
/// <param name="ContentType">The response Content-Type, if any.</param>
public sealed record RecordedRequest(
    long Number,
    string Method,
    string Path,
    string Query,
    string Protocol,
    string? Accept,
    string? AcceptEncoding,
    int StatusCode,
    string? ContentType);
