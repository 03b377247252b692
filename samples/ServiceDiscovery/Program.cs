// ServiceDiscovery: a live table of ready addresses per Service, from an EndpointSlice informer.
//
//   dotnet run --project samples/ServiceDiscovery -c Release -- --server URL [--namespace NS] [--seconds S]
//
// Prints one JSON line per meaningful change {"service":"ns/name","ready":["10.0.0.1",...]} (ready set
// changed; resourceVersion bumps say nothing), then the final table {"services":{...}} after S seconds.
using System.Text.Json;
using k8s;
using k8s.Models;
using ServiceDiscovery;
using StreamList;
using StreamList.Informers;

string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
string server = Value("--server") ?? Exit("--server URL is required");
double seconds = double.TryParse(Value("--seconds") ?? "10", System.Globalization.CultureInfo.InvariantCulture, out double s) ? s : 10;
string? ns = Value("--namespace");

var client = new Kubernetes(new KubernetesClientConfiguration { Host = server });
await using var slices = new Informer<V1EndpointSlice>(client.CreateListWatch<V1EndpointSlice>(ns));
var table = new ReadyAddresses();
table.Changed += (service, ready) => Console.WriteLine(JsonSerializer.Serialize(new { service, ready }));
await using var registration = slices.AddEventHandler(table);
slices.Start();
await slices.WaitForSyncAsync(TimeSpan.FromMinutes(2));
await Task.Delay(TimeSpan.FromSeconds(seconds));
Console.WriteLine(JsonSerializer.Serialize(new { services = table.Snapshot() }));

static string Exit(string message)
{
    Console.Error.WriteLine("ServiceDiscovery: " + message);
    Environment.Exit(2);
    return "";
}
