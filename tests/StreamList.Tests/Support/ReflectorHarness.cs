using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using StreamList.Informers;
using StreamList.Memory;
using StreamList.Watching;

namespace StreamList.Tests.Support;

/// <summary>What reflector tests share: an informer over a <see cref="ScriptedListWatch"/> in fake time, and the statuses and events they script.</summary>
public static class ReflectorHarness
{
    public static readonly DateTimeOffset Epoch = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public static readonly V1Status Expired = new() { Code = 410, Reason = "Expired", Status = "Failure", Message = "too old resource version" };

    public static readonly V1Status TooLarge = new()
    {
        Code = 504, Reason = "Timeout", Status = "Failure", Message = "Too large resource version",
        Details = new V1StatusDetails { Causes = [new V1StatusCause { Reason = "ResourceVersionTooLarge", Message = "Too large resource version" }] },
    };

    /// <summary>Jitter and watch timeouts from a fixed draw.</summary>
    public sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    public static (Informer<V1Pod> Informer, TimerTrackingTime Time, RecordingHandler Events) Create(ScriptedListWatch lw,
        Func<InformerOptions<V1Pod>, InformerOptions<V1Pod>>? configure = null)
    {
        var time = new TimerTrackingTime(Epoch);
        var options = new InformerOptions<V1Pod> { Time = time, Random = new FixedRandom(0.5), RelistGate = new RelistGate() };
        var informer = new Informer<V1Pod>(lw.ListWatch, configure is null ? options : configure(options), "pods");
        var events = new RecordingHandler();
        informer.AddEventHandler(events);
        return (informer, time, events);
    }

    public static WatchEvent<V1Pod> Ev(WatchEventKind kind, V1Pod pod) => new(kind, pod);

    public static V1Pod Bookmark(string rv) => new() { Metadata = new V1ObjectMeta { ResourceVersion = rv } };

    public static V1Pod EndBookmark(string rv) => new()
    {
        Metadata = new V1ObjectMeta { ResourceVersion = rv, Annotations = new Dictionary<string, string> { ["k8s.io/initial-events-end"] = "true" } },
    };
}
