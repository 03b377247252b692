using System.Buffers;
using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Testing.Server;

/// <summary>
/// Writes a watch response body: protobuf frames (<see cref="WatchEncoding.EncodeFrame"/>: 4-byte
/// big-endian length + WatchEvent with the enveloped object) or JSON lines
/// (<c>{"type":..,"object":{..}}\n</c>, objects with apiVersion and kind). Events are buffered in a
/// <see cref="ChunkedBody"/> (so <see cref="ChunkMode"/> and <see cref="FakeApiServerOptions.ChunkDelay"/>
/// apply) and go out at <see cref="FlushAsync"/>, which the endpoint calls after every batch, or
/// once a chunk's worth is pending. Counts the object events it wrote (not bookmarks or errors).
/// </summary>
internal sealed class WatchEventWriter(ChunkedBody body, BodyEncoding encoding)
{
    /// <summary>The annotation on the bookmark that ends a WatchList's initial events.</summary>
    public const string InitialEventsEnd = "k8s.io/initial-events-end";

    /// <summary>Content-Type of a watch body in <paramref name="encoding"/>.</summary>
    public static string ContentType(BodyEncoding encoding) =>
        encoding == BodyEncoding.Protobuf ? KubernetesProtobuf.MediaType + ";stream=watch" : ContentNegotiation.JsonMediaType;

    /// <summary>ADDED, MODIFIED and DELETED events written so far.</summary>
    public long Events { get; private set; }

    /// <summary>Writes one pod event (a snapshot's synthetic ADDED).</summary>
    public ValueTask WriteAsync(string type, V1Pod pod) => WriteEventAsync(Encode(encoding, type, pod));

    /// <summary>Writes one history event, encoded once for all watchers.</summary>
    public ValueTask WriteAsync(WatchRecord record) => WriteEventAsync(record.Encoded(encoding));

    /// <summary>Writes a BOOKMARK: a pod with only metadata.resourceVersion (and the end annotation when <paramref name="initialEventsEnd"/>).</summary>
    public void WriteBookmark(long resourceVersion, bool initialEventsEnd)
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = BookmarkMetadata(resourceVersion, initialEventsEnd),
        };
        body.Write(Encode(encoding, "BOOKMARK", pod));
    }

    /// <summary>A bookmark's metadata: only the resourceVersion, and the end annotation when <paramref name="initialEventsEnd"/>.</summary>
    public static V1ObjectMeta BookmarkMetadata(long resourceVersion, bool initialEventsEnd) => new()
    {
        ResourceVersion = resourceVersion.ToString(CultureInfo.InvariantCulture),
        Annotations = initialEventsEnd ? new Dictionary<string, string> { [InitialEventsEnd] = "true" } : null,
    };

    /// <summary>Writes an ERROR event carrying <paramref name="status"/>.</summary>
    public void WriteError(V1Status status) => body.Write(EncodeObject(encoding, "ERROR", status));

    /// <summary>Sends everything pending.</summary>
    public ValueTask FlushAsync() => body.FlushAsync();

    /// <summary>One encoded event: a protobuf frame or a JSON line.</summary>
    public static byte[] Encode(BodyEncoding encoding, string type, V1Pod pod) =>
        encoding == BodyEncoding.Protobuf ? WatchEncoding.EncodeFrame(type, pod) : JsonLine(type, Encoding.UTF8.GetBytes(PodJson(pod)));

    /// <summary>One encoded event for an object of any kind (a Status as the apiserver writes it), as it is: no apiVersion or kind added.</summary>
    public static byte[] EncodeObject(BodyEncoding encoding, string type, object obj) =>
        encoding == BodyEncoding.Protobuf
            ? WatchEncoding.EncodeFrame(type, obj)
            : JsonLine(type, obj is V1Status status ? StatusResponses.Encode(status, BodyEncoding.Json) : Encoding.UTF8.GetBytes(KubernetesJson.Serialize(obj)));

    private ValueTask WriteEventAsync(byte[] encoded)
    {
        body.Write(encoded);
        Events++;
        return body.ItemDoneAsync();
    }

    private static byte[] JsonLine(string type, ReadOnlySpan<byte> objectJson)
    {
        // {"type":"<type>","object":<object>}\n
        var line = new byte[objectJson.Length + type.Length + 24];
        int n = Encoding.UTF8.GetBytes("{\"type\":\"" + type + "\",\"object\":", line);
        objectJson.CopyTo(line.AsSpan(n));
        n += objectJson.Length;
        line[n++] = (byte)'}';
        line[n++] = (byte)'\n';
        return line[..n];
    }

    /// <summary>A pod's JSON as a watch event carries it: with apiVersion and kind even when the stored object lacks them.</summary>
    private static string PodJson(V1Pod pod)
    {
        string text = KubernetesJson.Serialize(pod);
        if (text.StartsWith("{\"apiVersion\":", StringComparison.Ordinal))
            return text;
        return text == "{}" ? "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}" : string.Concat("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",", text.AsSpan(1));
    }
}
