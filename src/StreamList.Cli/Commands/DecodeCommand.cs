using System.CommandLine;
using System.Reflection;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Cli.Commands;

/// <summary>
/// <c>streamlist decode FILE [--to json|protobuf|summary] [--out FILE] [--kind APIVERSION/KIND]</c>:
/// reads one Kubernetes object, either an enveloped protobuf body (starts with <c>k8s\0</c>) or a
/// JSON object (its apiVersion and kind pick the KubernetesClient model), and writes it as
/// KubernetesClient JSON (indented; the default), as an enveloped protobuf body (to the --out file, or to
/// stdout when it is not a terminal), or as one summary line <c>kind name namespace bytes</c>
/// ("-" for an empty name or namespace; bytes is the input size). <c>--kind</c> gives the type of a
/// body whose envelope does not name it (an object taken from a watch event), e.g. <c>v1/Pod</c>.
/// Undecodable input is one line on stderr naming the byte offset and field path; exit code 2.
/// </summary>
internal sealed class DecodeCommand : ICommand
{
    private readonly Argument<string> _file = new("FILE") { Description = "the object: an enveloped protobuf body or a JSON object" };
    private readonly Option<string> _to = CliOptions.Choice("--to", "what to print", "json", ["json", "protobuf", "summary"], "--output");
    private readonly Option<string?> _out = CliOptions.Text("--out", "FILE", "write to this file instead of stdout", "-o");
    private readonly Option<string?> _kind = CliOptions.Text("--kind", "APIVERSION/KIND", "the type of a body whose envelope does not name it (e.g. v1/Pod)");

    public DecodeCommand()
    {
        Declaration = new Command("decode", "decode one object (.pb or .json); print it as JSON, protobuf or a summary line") { _file, _to, _out, _kind };
    }

    public Command Declaration { get; }

    public async Task<int> RunAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        string file = parsed.GetRequiredValue(_file);
        string output = parsed.GetRequiredValue(_to);
        string? outFile = parsed.GetValue(_out);
        if (outFile is { Length: 0 })
            throw new UsageException("--out needs a file name");

        Type? type = null;
        if (parsed.GetValue(_kind) is { } kindOption)
        {
            int slash = kindOption.LastIndexOf('/');
            type = slash > 0 ? ModelTypes.Find(kindOption[..slash], kindOption[(slash + 1)..]) : null;
            if (type is null)
                throw new UsageException($"--kind '{kindOption}' is not an APIVERSION/KIND KubernetesClient models (e.g. v1/Pod, apps/v1/Deployment)");
        }

        byte[] input = await ReadAsync(file, cancellationToken).ConfigureAwait(false);
        object value;
        try
        {
            value = Decode(input, type);
        }
        catch (KubernetesWireException e)
        {
            string hint = e.Kind == WireErrorKind.UnknownKind && type is null ? " (give the type with --kind APIVERSION/KIND)" : "";
            throw new CliException($"{file}: {e.Message}{hint}", e);
        }

        switch (output)
        {
            case "protobuf":
                if (!KubernetesProtobuf.IsKnownKind(ApiVersionOf(value), KindOf(value)))
                    throw new CliException($"{file}: {ApiVersionOf(value)} {KindOf(value)} has no Kubernetes protobuf encoding");
                await WriteBytesAsync(console, outFile, KubernetesProtobuf.Encode(value), cancellationToken).ConfigureAwait(false);
                break;
            case "summary":
                await WriteTextAsync(console, outFile, SummaryLine(value, input.Length), cancellationToken).ConfigureAwait(false);
                break;
            default:
                await WriteTextAsync(console, outFile, Indent(ToJson(value)), cancellationToken).ConfigureAwait(false);
                break;
        }
        return ExitCodes.Ok;
    }

    private static async Task<byte[]> ReadAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException($"{file}: no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{file}: cannot read: {e.Message}");
        }
    }

    /// <summary>Protobuf unless the first non-blank byte opens a JSON object; <paramref name="type"/> when the input does not say.</summary>
    internal static object Decode(byte[] input, Type? type = null)
    {
        var text = input.AsSpan();
        if (text.StartsWith("\uFEFF"u8))
            text = text[3..];
        int first = text.IndexOfAnyExcept(" \t\r\n"u8);
        if (first >= 0 && text[first] == '{')
            return DecodeJson(input, type);
        return type is null ? KubernetesProtobuf.Decode(input) : KubernetesProtobuf.Decode(input, type);
    }

    private static object DecodeJson(byte[] input, Type? given)
    {
        string? apiVersion, kind;
        try
        {
            using var doc = JsonDocument.Parse(input);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new KubernetesWireException(WireErrorKind.InvalidJson, 0, "", "the JSON value is not an object");
            apiVersion = StringProperty(doc.RootElement, "apiVersion");
            kind = StringProperty(doc.RootElement, "kind");
        }
        catch (JsonException e)
        {
            throw JsonError(input, e);
        }
        var type = apiVersion is null || kind is null
            ? given ?? throw new KubernetesWireException(WireErrorKind.InvalidJson, 0, apiVersion is null ? "apiVersion" : "kind",
                $"the JSON object has no {(apiVersion is null ? "apiVersion" : "kind")} (give the type with --kind APIVERSION/KIND)")
            : ModelTypes.Find(apiVersion, kind)
                ?? throw new KubernetesWireException(WireErrorKind.UnknownKind, 0, "kind", $"no KubernetesClient model for apiVersion '{apiVersion}' kind '{kind}'");
        try
        {
            return ModelTypes.Deserialize(Encoding.UTF8.GetString(input), type);
        }
        catch (JsonException e)
        {
            throw JsonError(input, e);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            throw new KubernetesWireException(WireErrorKind.InvalidJson, 0, "", $"KubernetesClient cannot read it: {e.Message}");
        }
    }

    private static string? StringProperty(JsonElement root, string name) =>
        root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>A JSON error at its byte offset from the start of the input, with its JSON path.</summary>
    private static KubernetesWireException JsonError(ReadOnlySpan<byte> input, JsonException e)
    {
        long offset = 0;
        if (e.LineNumber is long lineNumber)
        {
            for (long l = 0; l < lineNumber && offset < input.Length; l++)
            {
                int nl = input[(int)offset..].IndexOf((byte)'\n');
                offset = nl < 0 ? input.Length : offset + nl + 1;
            }
            offset += e.BytePositionInLine ?? 0;
        }
        string path = e.Path is { } p ? p.TrimStart('$').TrimStart('.') : "";
        string reason = e.Message;
        int cut = reason.IndexOf(" Path:", StringComparison.Ordinal) is var i and >= 0 ? i
            : reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
            reason = reason[..cut];
        return new KubernetesWireException(WireErrorKind.InvalidJson, Math.Min(offset, input.Length), path, reason, e);
    }

    /// <summary>KubernetesClient's JSON; V1Status has a read-only converter, so its properties are written one by one.</summary>
    internal static string ToJson(object value) => value is V1Status s
        ? KubernetesJson.Serialize(new { s.ApiVersion, s.Kind, s.Metadata, s.Status, s.Message, s.Reason, s.Details, s.Code })
        : KubernetesJson.Serialize(value);

    private static string Indent(string json)
    {
        using var doc = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            doc.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    internal static string SummaryLine(object value, long bytes)
    {
        var meta = (value as IMetadata<V1ObjectMeta>)?.Metadata;
        return $"{KindOf(value)} {Dash(meta?.Name)} {Dash(meta?.NamespaceProperty)} {bytes}\n";

        static string Dash(string? s) => string.IsNullOrEmpty(s) ? "-" : s;
    }

    private static string KindOf(object value) =>
        value is IKubernetesObject { Kind: { Length: > 0 } kind } ? kind : ModelTypes.NameOf(value.GetType()).Kind;

    private static string ApiVersionOf(object value) =>
        value is IKubernetesObject { ApiVersion: { Length: > 0 } v } ? v : ModelTypes.NameOf(value.GetType()).ApiVersion;

    private static async Task WriteTextAsync(CliConsole console, string? outFile, string text, CancellationToken cancellationToken)
    {
        if (outFile is null)
        {
            await console.Out.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await WriteFileAsync(outFile, Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteBytesAsync(CliConsole console, string? outFile, byte[] bytes, CancellationToken cancellationToken)
    {
        if (outFile is not null)
        {
            await WriteFileAsync(outFile, bytes, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (console.OutputIsTerminal)
            throw new UsageException("refusing to write binary protobuf to a terminal; use --out FILE or redirect stdout");
        var stdout = console.OpenStandardOutput();
        await stdout.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteFileAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot write: {e.Message}");
        }
    }

    /// <summary>KubernetesClient's model types by apiVersion and kind: every class marked [KubernetesEntity], and the watch event.</summary>
    private static class ModelTypes
    {
        private static readonly Lazy<Dictionary<(string ApiVersion, string Kind), Type>> s_entities = new(() =>
        {
            var map = new Dictionary<(string, string), Type> { [("v1", "WatchEvent")] = typeof(V1WatchEvent) };
            foreach (var t in typeof(V1Pod).Assembly.GetTypes())
            {
                if (t.GetCustomAttribute<KubernetesEntityAttribute>() is { Kind: { Length: > 0 } } e)
                    map.TryAdd((ApiVersion(e), e.Kind), t);
            }
            return map;
        });

        private static readonly Lazy<Dictionary<Type, (string ApiVersion, string Kind)>> s_names =
            new(() => s_entities.Value.GroupBy(e => e.Value).ToDictionary(g => g.Key, g => g.First().Key));

        /// <summary>The apiVersion and kind of a model type ("" and the type name for a type that is not an API object).</summary>
        public static (string ApiVersion, string Kind) NameOf(Type type) => s_names.Value.GetValueOrDefault(type, ("", type.Name));

        private static readonly MethodInfo s_deserialize = typeof(KubernetesJson).GetMethods()
            .Single(m => m.Name == nameof(KubernetesJson.Deserialize) && m.GetParameters() is [{ ParameterType: var p }, _] && p == typeof(string));

        public static string ApiVersion(KubernetesEntityAttribute e) => string.IsNullOrEmpty(e.Group) ? e.ApiVersion : e.Group + "/" + e.ApiVersion;

        public static Type? Find(string apiVersion, string kind) => s_entities.Value.GetValueOrDefault((apiVersion, kind));

        public static object Deserialize(string json, Type type)
        {
            try
            {
                return s_deserialize.MakeGenericMethod(type).Invoke(null, [json, null])
                    ?? throw new KubernetesWireException(WireErrorKind.InvalidJson, 0, "", "the JSON document is null");
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
                throw;
            }
        }
    }
}
