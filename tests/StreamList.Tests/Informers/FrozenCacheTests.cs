using System.Collections.Concurrent;
using k8s.Models;
using StreamList.Codec;
using StreamList.Informers;
using StreamList.Tests.Support;
using StreamList.Watching;
using static StreamList.Tests.Support.ReflectorHarness;
using ListAnswer = StreamList.Tests.Support.ScriptedListWatch.ListAnswer;

namespace StreamList.Tests.Informers;

/// <summary>
/// An Objects informer freezes what it caches — after the transform, so a transform may still set
/// collections — and every reader and handler gets that frozen instance; a DeepCopy is the way to a
/// changed object, and changing it leaves the cache as it was.
/// </summary>
public class FrozenCacheTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private static V1Pod Mutable(string name, string rv, string app) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", ResourceVersion = rv, Uid = "uid-" + name, Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Args = ["--v=1"] }] },
    };

    [Fact]
    public async Task Cached_objects_are_frozen_after_the_transform_and_handlers_get_the_same_instance()
    {
        var lw = new ScriptedListWatch();
        var listed = Mutable("a", "10", "x");
        lw.NextList(new ListAnswer([listed], "100"));
        var w1 = lw.NextWatch();
        var (informer, _, events) = Create(lw, o => o with
        {
            Transform = p =>
            {
                p.Metadata.Annotations = new Dictionary<string, string> { ["seen"] = "yes" }; // set by the transform: frozen too
                p.Metadata.Labels["transformed"] = "yes"; // changed by the transform: still possible
                return p;
            },
        });
        var delivered = new ConcurrentQueue<V1Pod>();
        informer.AddEventHandler(new ResourceEventHandler<V1Pod> { OnAdd = (p, _, _) => Enqueue(delivered, p), OnUpdate = (_, p, _) => Enqueue(delivered, p) });
        informer.Start();
        Assert.True(await informer.WaitForSyncAsync().WaitAsync(Guard));

        var cached = informer.Store.Get("default/a")!;
        Assert.Same(listed, cached);
        Assert.Equal("yes", cached.Metadata.Labels["transformed"]);
        foreach (var collection in new object[] { cached.Metadata.Labels, cached.Metadata.Annotations, cached.Spec.Containers, cached.Spec.Containers[0].Args })
            Assert.True(IsReadOnly(collection));
        Assert.Throws<NotSupportedException>(() => cached.Metadata.Labels["app"] = "y");
        Assert.Throws<NotSupportedException>(() => cached.Spec.Containers[0].Args.Add("--v=2"));

        var copy = cached.DeepCopy();
        copy.Metadata.Labels["app"] = "y";
        copy.Spec.Containers[0].Args.Add("--v=2");
        Assert.Equal("x", informer.Store.Get("default/a")!.Metadata.Labels["app"]);
        Assert.Equal(["--v=1"], informer.Store.Get("default/a")!.Spec.Containers[0].Args);

        var modified = Mutable("a", "11", "z");
        w1.TryWrite(Ev(WatchEventKind.Modified, modified));
        await FakeTime.Until(() => events.Lines.Contains("update default/a 10->11") && delivered.Count == 2);
        Assert.Collection(delivered, p => Assert.Same(listed, p), p => Assert.Same(modified, p)); // the cached instances themselves
        Assert.Same(modified, informer.Store.Get("default/a"));
        Assert.True(IsReadOnly(modified.Metadata.Labels));
        await informer.StopAsync();
    }

    private static ValueTask Enqueue(ConcurrentQueue<V1Pod> queue, V1Pod pod)
    {
        queue.Enqueue(pod);
        return ValueTask.CompletedTask;
    }

    private static bool IsReadOnly(object collection) => collection switch
    {
        ICollection<KeyValuePair<string, string>> map => map.IsReadOnly,
        ICollection<V1Container> list => list.IsReadOnly,
        ICollection<string> list => list.IsReadOnly,
        _ => throw new ArgumentException(collection.GetType().Name),
    };
}
