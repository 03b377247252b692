using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using k8s;
using k8s.Models;
using StreamList.Json;
using StreamList.Listing;
using StreamList.Watching;
using StreamList.Codec;

namespace StreamList.Tests.Json;

/// <summary>Pods, list bodies and watch streams for the JSON reader tests, and helpers that drain the readers.</summary>
internal static class JsonTestData
{
    public const string ListMetadata =
        """{"resourceVersion":"4242","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDI0Miwic3RhcnQiOiJ3ZWItMyJ9","remainingItemCount":17}""";

    /// <summary>A realistic pod whose strings hold brackets, braces, escaped quotes, backslashes and non-ASCII text.</summary>
    public static V1Pod Pod(int i, string? note = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            Name = $"web-{i}",
            NamespaceProperty = "default",
            Uid = $"0c3f6b2e-1d2a-4c5b-9e8f-{i:D12}",
            ResourceVersion = (1000 + i).ToString(CultureInfo.InvariantCulture),
            CreationTimestamp = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddMinutes(i),
            Labels = new Dictionary<string, string> { ["app"] = "web", ["pod-template-hash"] = "5d8f9c7b6" },
            Annotations = new Dictionary<string, string>
            {
                ["note"] = note ?? "brackets ] } [ { , and \"quotes\" and a backslash \\ inside a string",
                ["unicode"] = "naïve – 日本語 – 🚀",
            },
        },
        Spec = new V1PodSpec
        {
            NodeName = $"node-{i % 3}",
            Containers =
            [
                new V1Container
                {
                    Name = "app",
                    Image = "registry.example.com/web:1.27.3",
                    Args = ["--config={\"a\":[1,2]}", "]", "}"],
                    Env = [new V1EnvVar { Name = "JSON", Value = "{\"k\": [\"v\\\"\"]}" }],
                    Ports = [new V1ContainerPort { ContainerPort = 8080, Protocol = "TCP" }],
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity>
                        {
                            ["cpu"] = new ResourceQuantity("100m"),
                            ["memory"] = new ResourceQuantity("128Mi"),
                        },
                    },
                },
            ],
        },
        Status = new V1PodStatus
        {
            Phase = "Running",
            PodIP = $"10.0.0.{i}",
            Conditions =
            [
                new V1PodCondition
                {
                    Type = "Ready",
                    Status = "True",
                    LastTransitionTime = new DateTime(2025, 1, 2, 3, 5, 0, DateTimeKind.Utc),
                },
            ],
        },
    };

    public static List<V1Pod> Pods(int count) => Enumerable.Range(0, count).Select(i => Pod(i)).ToList();

    /// <summary>A PodList body as the apiserver writes it (compact, newline at the end).</summary>
    public static string ListJson(IEnumerable<V1Pod> pods, bool metadataFirst = true, string extra = "", string end = "\n")
    {
        string items = "\"items\":[" + string.Join(",", pods.Select(p => KubernetesJson.Serialize(p))) + "]";
        string meta = "\"metadata\":" + ListMetadata;
        string head = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\"," + extra;
        return (metadataFirst ? head + meta + "," + items : head + items + "," + meta) + "}" + end;
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static string Serialize(object value) => KubernetesJson.Serialize(value);

    public static string SerializeAll<T>(IEnumerable<T> values) => string.Join("\n", values.Select(v => KubernetesJson.Serialize(v!)));

    public static async Task<List<V1Pod>> ReadListAsync(PipeReader reader, ListProgress progress, DecodeOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var items = new List<V1Pod>();
        await foreach (var pod in JsonListReader.ReadAsync<V1Pod>(reader, progress, options ?? DecodeOptions.Default, cancellationToken))
            items.Add(pod);
        return items;
    }

    // ---- watch ----

    public static V1Pod Bookmark(string resourceVersion) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            ResourceVersion = resourceVersion,
            Annotations = new Dictionary<string, string> { ["k8s.io/initial-events-end"] = "true" },
        },
    };

    public static string EventJson(string type, object value) =>
        "{\"type\":\"" + type + "\",\"object\":" + KubernetesJson.Serialize(value) + "}";

    public static string StatusJson(int code, string reason, string message) =>
        $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{message}}","reason":"{{reason}}","code":{{code}}}""";

    /// <summary>The events of <see cref="WatchJson"/>, in order.</summary>
    public static List<WatchEvent<V1Pod>> WatchEvents() =>
    [
        new(WatchEventKind.Added, Pod(0)),
        new(WatchEventKind.Modified, Pod(1)),
        new(WatchEventKind.Deleted, Pod(2)),
        new(WatchEventKind.Bookmark, Bookmark("5000")),
    ];

    /// <summary>A watch stream as the apiserver writes it: one event per line.</summary>
    public static string WatchJson(string separator = "\n") =>
        string.Concat(WatchEvents().Select(e => EventJson(e.Type.ToString().ToUpperInvariant(), e.Object) + separator));

    public static string Describe(IEnumerable<WatchEvent<V1Pod>> events) =>
        string.Join("\n", events.Select(e => e.Type + " " + KubernetesJson.Serialize(e.Object)));

    public static async Task<List<WatchEvent<V1Pod>>> ReadWatchAsync(PipeReader reader, DecodeOptions? options = null,
        List<WatchEvent<V1Pod>>? into = null, CancellationToken cancellationToken = default)
    {
        var events = into ?? [];
        await foreach (var e in JsonWatchReader.ReadAsync<V1Pod>(reader, options ?? DecodeOptions.Default, cancellationToken))
            events.Add(e);
        return events;
    }
}
