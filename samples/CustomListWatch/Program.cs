// CustomListWatch: an informer fed through list and watch functions of its own that wrap StreamList's.
//
//   dotnet run --project samples/CustomListWatch -c Release -- --server URL --resource pods --seconds S [--namespace-suffix X]
//
// After S seconds it prints one JSON line {"objects":N,"keysSha256":"...","listed":L,"events":E}: the cache's
// size and fingerprint (as `streamlist sync` prints them), and what went through the wrappers.
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using StreamList;
using StreamList.Informers;
using StreamList.Listing;
using StreamList.Testing;
using StreamList.Watching;

var options = Args.Parse(args);
var client = new Kubernetes(new KubernetesClientConfiguration { Host = options.Server });
var counts = new Counts();
Func<V1Pod, bool> keep = options.NamespaceSuffix is { } suffix
    ? p => p.Metadata.NamespaceProperty?.EndsWith(suffix, StringComparison.Ordinal) == true
    : _ => true;

var builtIn = client.CreateListWatch<V1Pod>();
var mine = new ListWatch<V1Pod>(
    (request, progress, ct) => Counted(builtIn.List(request, progress, ct), keep, counts, ct), // the progress goes through untouched
    (request, ct) => CountedEvents(builtIn.Watch(request, ct), keep, counts, ct));

await using var informer = new Informer<V1Pod>(mine);
informer.Start();
await informer.WaitForSyncAsync(TimeSpan.FromMinutes(5));
await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
await informer.StopAsync();

Console.WriteLine(JsonSerializer.Serialize(new
{
    objects = informer.Store.Count,
    keysSha256 = KeysSha256.Compute(informer.Store.List()),
    listed = counts.Listed,
    events = counts.Events,
}));

static async IAsyncEnumerable<V1Pod> Counted(IAsyncEnumerable<V1Pod> items, Func<V1Pod, bool> keep, Counts counts, [EnumeratorCancellation] CancellationToken ct)
{
    await foreach (var pod in items.WithCancellation(ct))
    {
        Interlocked.Increment(ref counts.Listed);
        if (keep(pod))
            yield return pod;
    }
}

static async IAsyncEnumerable<WatchEvent<V1Pod>> CountedEvents(IAsyncEnumerable<WatchEvent<V1Pod>> events, Func<V1Pod, bool> keep, Counts counts,
    [EnumeratorCancellation] CancellationToken ct)
{
    await foreach (var e in events.WithCancellation(ct))
    {
        Interlocked.Increment(ref counts.Events);
        if (e.Type == WatchEventKind.Bookmark || keep(e.Object))
            yield return e;
    }
}

internal sealed class Counts
{
    public long Listed;
    public long Events;
}

internal sealed record Args(string Server, string Resource, double Seconds, string? NamespaceSuffix)
{
    public static Args Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        string server = Value("--server") ?? Fail("--server URL is required");
        string resource = Value("--resource") ?? "pods";
        if (resource != "pods")
            Fail("this sample informs on pods only (--resource pods)");
        double seconds = double.TryParse(Value("--seconds") ?? "5", System.Globalization.CultureInfo.InvariantCulture, out double s) && s >= 0 ? s : Fail<double>("--seconds S wants a number");
        return new Args(server, resource, seconds, Value("--namespace-suffix"));
    }

    private static T Fail<T>(string message)
    {
        Console.Error.WriteLine($"CustomListWatch: {message}");
        Environment.Exit(2);
        return default!;
    }

    private static string Fail(string message) => Fail<string>(message);
}
