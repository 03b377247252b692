using System.Buffers;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace StreamList.Testing.Server;

/// <summary>
/// A JSON list, streamed: <c>{"kind":"PodList","apiVersion":"v1","metadata":{...},"items":[</c>, each
/// item as KubernetesClient serializes it (without kind/apiVersion, as the apiserver writes list
/// items), then <c>]}</c>. Holds one item's JSON at a time.
/// </summary>
internal static class JsonListWriter
{
    private const string ItemTypePrefix = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",";

    /// <summary>Writes the page; with <paramref name="truncateAfter"/> set, stops inside that item (0-based) and returns false.</summary>
    public static async Task<bool> WriteAsync(ChunkedBody body, PodPopulationSnapshot snapshot, PodFilter filter, ListPage page,
        V1ListMeta metadata, int? truncateAfter, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartObject();
        json.WriteString("kind", "PodList");
        json.WriteString("apiVersion", "v1");
        json.WriteStartObject("metadata");
        json.WriteString("resourceVersion", metadata.ResourceVersion);
        if (!string.IsNullOrEmpty(metadata.ContinueProperty))
            json.WriteString("continue", metadata.ContinueProperty);
        if (metadata.RemainingItemCount is { } remaining)
            json.WriteNumber("remainingItemCount", remaining);
        if (metadata.ShardInfo?.Selector is { } shard)
        {
            json.WriteStartObject("shardInfo");
            json.WriteString("selector", shard);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteStartArray("items");
        int written = 0;
        for (int i = page.Start; i < page.End; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!ListPlanner.Selects(snapshot, filter, i, out var pod))
                continue;
            string item = Item(pod ?? snapshot.Get(i)!);
            if (written == truncateAfter)
            {
                json.Flush();
                var bytes = Encoding.UTF8.GetBytes((written > 0 ? "," : "") + item);
                body.Write(bytes.AsSpan(0, bytes.Length / 2));
                await body.FlushAsync().ConfigureAwait(false);
                return false;
            }
            json.WriteRawValue(item, skipInputValidation: true);
            json.Flush();
            written++;
            await body.ItemDoneAsync().ConfigureAwait(false);
        }
        if (truncateAfter is { } k && k >= written)
        {
            json.Flush();
            await body.FlushAsync().ConfigureAwait(false);
            return false;
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        await body.CompleteAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>KubernetesClient's JSON of a pod, without the leading apiVersion and kind.</summary>
    private static string Item(V1Pod pod)
    {
        string text = KubernetesJson.Serialize(pod);
        return text.StartsWith(ItemTypePrefix, StringComparison.Ordinal) ? string.Concat("{", text.AsSpan(ItemTypePrefix.Length)) : text;
    }
}
