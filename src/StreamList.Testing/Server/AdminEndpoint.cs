using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StreamList.Testing.Server;

/// <summary>
/// The fake server's control surface over HTTP, so a client in another process (a benchmark, the
/// demo) can drive it: everything under <c>/streamlist/</c>, JSON in and out.
/// <list type="bullet">
/// <item><c>POST /streamlist/churn?percent=P&amp;round=R</c>: one churn round → <see cref="ChurnResult"/>.</item>
/// <item><c>POST /streamlist/compact</c>: history and snapshots compacted → <c>{"resourceVersion":".."}</c>.</item>
/// <item><c>POST /streamlist/storm?rate=R&amp;compactEverySeconds=S</c>: starts (or replaces) the storm; S optional.</item>
/// <item><c>DELETE /streamlist/storm</c>: stops it.</item>
/// <item><c>GET /streamlist/state</c> → <see cref="FakeApiServerState"/>.</item>
/// </list>
/// Bad parameters get 400 and a Status; other methods 405; other paths 404.
/// </summary>
internal sealed class AdminEndpoint(FakeApiServer server)
{
    public const string Prefix = "/streamlist/";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static bool Handles(string? path) => path is not null && path.StartsWith(Prefix, StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        string action = request.Path.Value![Prefix.Length..].TrimEnd('/');
        string method = request.Method;
        switch (action)
        {
            case "churn" when HttpMethods.IsPost(method):
                if (!TryDouble(request, "percent", out double percent, required: true) || percent is < 0 or > 100
                    || !TryInt(request, "round", out int round))
                {
                    await BadRequestAsync(context, "churn needs percent in [0, 100] and an integer round", cancellationToken).ConfigureAwait(false);
                    return;
                }
                await WriteAsync(context, server.ApplyChurn(percent, round), cancellationToken).ConfigureAwait(false);
                return;
            case "compact" when HttpMethods.IsPost(method):
                server.Compact();
                await WriteAsync(context, new { resourceVersion = server.Population.ResourceVersion.ToString(CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);
                return;
            case "storm" when HttpMethods.IsPost(method):
                if (!TryDouble(request, "rate", out double rate, required: true) || rate < 0
                    || !TryDouble(request, "compactEverySeconds", out double every, required: false) || every < 0)
                {
                    await BadRequestAsync(context, "storm needs rate ≥ 0 (events per second) and optionally compactEverySeconds > 0", cancellationToken).ConfigureAwait(false);
                    return;
                }
                server.StartStorm(rate, every > 0 ? TimeSpan.FromSeconds(every) : null);
                await WriteAsync(context, new { rate, compactEverySeconds = every > 0 ? every : (double?)null }, cancellationToken).ConfigureAwait(false);
                return;
            case "storm" when HttpMethods.IsDelete(method):
                await server.StopStorm().ConfigureAwait(false);
                await WriteAsync(context, new { stopped = true }, cancellationToken).ConfigureAwait(false);
                return;
            case "state" when HttpMethods.IsGet(method):
                await WriteAsync(context, server.GetState(), cancellationToken).ConfigureAwait(false);
                return;
            case "churn" or "compact" or "storm" or "state":
                await StatusResponses.WriteAsync(context, StatusResponses.MethodNotAllowed(method), BodyEncoding.Json, cancellationToken).ConfigureAwait(false);
                return;
            default:
                await StatusResponses.WriteAsync(context, StatusResponses.NotFound(request.Path.Value), BodyEncoding.Json, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private static bool TryDouble(HttpRequest request, string name, out double value, bool required)
    {
        value = 0;
        string text = request.Query[name].ToString();
        if (text.Length == 0)
            return !required;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private static bool TryInt(HttpRequest request, string name, out int value)
    {
        value = 0;
        string text = request.Query[name].ToString();
        return text.Length == 0 || int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static Task BadRequestAsync(HttpContext context, string message, CancellationToken cancellationToken) =>
        StatusResponses.WriteAsync(context, StatusResponses.BadRequest(message), BodyEncoding.Json, cancellationToken);

    private static async Task WriteAsync<T>(HttpContext context, T value, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, s_json);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ContentNegotiation.JsonMediaType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
