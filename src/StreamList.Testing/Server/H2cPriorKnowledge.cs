using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace StreamList.Testing.Server;

/// <summary>
/// Lets one cleartext endpoint serve both HTTP/1.1 and HTTP/2 by prior knowledge (h2c), which
/// Kestrel 10 does not do by itself (an Http1AndHttp2 endpoint without TLS answers a prior-knowledge
/// client with HTTP_1_1_REQUIRED). This connection middleware peeks at the first bytes without
/// consuming them; when they are the HTTP/2 connection preface it marks the connection as if ALPN
/// had chosen "h2", so Kestrel's protocol selection picks HTTP/2. Needs
/// <c>KestrelServerOptions.AllowAlternateSchemes</c> (the request's :scheme stays "http").
/// </summary>
internal static class H2cPriorKnowledge
{
    private static readonly TimeSpan s_prefaceTimeout = TimeSpan.FromSeconds(10);

    /// <summary>"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n": what an HTTP/2 client sends first (RFC 9113 §3.4).</summary>
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>The middleware; <paramref name="stopping"/> ends a wait for a silent client when the server stops.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(CancellationToken stopping) => next => async connection =>
    {
        if (await StartsWithPrefaceAsync(connection, stopping).ConfigureAwait(false))
        {
            connection.Features.Set<ITlsApplicationProtocolFeature>(AlpnH2.Instance);
            connection.Features.Set<ITlsConnectionFeature>(AlpnH2.Instance);
        }
        await next(connection).ConfigureAwait(false);
    };

    /// <summary>Reads until the first bytes decide; consumes and examines nothing, so Kestrel reads them again at once.</summary>
    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection, CancellationToken stopping)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, stopping);
        var input = connection.Transport.Input;
        long started = TimeProvider.System.GetTimestamp();
        var head = new byte[Preface.Length];
        while (true)
        {
            var result = await input.ReadAsync(cancel.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            int n = (int)Math.Min(buffer.Length, Preface.Length);
            buffer.Slice(0, n).CopyTo(head);
            bool prefix = head.AsSpan(0, n).SequenceEqual(Preface[..n]);
            // Examine nothing: a later ReadAsync (ours or Kestrel's) returns the same bytes at once.
            input.AdvanceTo(buffer.Start);
            if (!prefix || n == Preface.Length || result.IsCompleted || result.IsCanceled)
                return prefix && n == Preface.Length;
            if (TimeProvider.System.GetElapsedTime(started) > s_prefaceTimeout)
                return false;
            // A partial preface (rare: the client's first write was split): wait for the rest.
            await Task.Delay(1, cancel.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The features Kestrel's protocol selection reads: "TLS" present and ALPN "h2".</summary>
    private sealed class AlpnH2 : ITlsApplicationProtocolFeature, ITlsConnectionFeature
    {
        public static readonly AlpnH2 Instance = new();

        private static readonly byte[] s_h2 = "h2"u8.ToArray();

        public ReadOnlyMemory<byte> ApplicationProtocol => s_h2;

        public X509Certificate2? ClientCertificate
        {
            get => null;
            set { }
        }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
