using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using StreamList;
using StreamList.Informers;
using StreamList.Sharding;
using StreamList.Testing.Fixture;
using StreamList.Testing.Server;
using StreamList.Watching;

namespace StreamList.PublicApi.Tests;

/// <summary>The README's examples share the process's KUBECONFIG and console: nothing else runs beside them.</summary>
[CollectionDefinition(nameof(ReadmeExamples), DisableParallelization = true)]
public sealed class ReadmeExamples;

/// <summary>
/// The README's C# examples, run as written against the fake API server reached through a kubeconfig
/// file (KUBECONFIG), as a user would run them against `streamlist serve`. Each example's code sits between
/// <c>// README:</c> and <c>// end README</c> below, and a test holds the README to exactly those lines.
/// </summary>
[Collection(nameof(ReadmeExamples))]
public sealed class ReadmeExamplesTests : IAsyncLifetime
{
    private const int Pods = 300;
    private const int Nodes = 20;
    private FakeApiServer _server = null!;
    private string _kubeconfig = null!;
    private string? _previousKubeconfig;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync(new FakeApiServerOptions { Pods = Pods });
        var nodes = _server.Collection<V1Node>();
        for (int i = 0; i < Nodes; i++)
            nodes.Create(NodeFixture.Create(i));
        _server.Collection<V1Lease>();
        _kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("streamlist-readme-").FullName, "config");
        await File.WriteAllTextAsync(_kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {{_server.BaseAddress}}
            users:
            - name: nobody
              user:
                token: not-checked-by-the-fake-server
            contexts:
            - name: fake
              context:
                cluster: fake
                user: nobody
            current-context: fake
            """);
        _previousKubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG");
        Environment.SetEnvironmentVariable("KUBECONFIG", _kubeconfig);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable("KUBECONFIG", _previousKubeconfig);
        Directory.Delete(Path.GetDirectoryName(_kubeconfig)!, recursive: true);
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Use_it()
    {
        var printed = new LineRecorder();
        var console = Console.Out;
        Console.SetOut(printed);
        try
        {
            await UseItAsync(printed);
        }
        finally
        {
            Console.SetOut(console);
        }
        var lines = printed.Lines();
        Assert.Equal(Pods, lines.Count(l => !l.Contains(' ', StringComparison.Ordinal))); // the streamed list: one name per line
        Assert.Equal(Pods, lines.Count(l => l.StartsWith("added ", StringComparison.Ordinal)));
    }

    private static async Task UseItAsync(LineRecorder printed)
    {
        // README: use-it
        var client = new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig());   // $KUBECONFIG, ~/.kube/config or in-cluster

        // A list that streams: each pod arrives as soon as its bytes do.
        await foreach (var pod in client.ListStreamingAsync<V1Pod>())
            Console.WriteLine(pod.Metadata.Name);

        // An informer: the one-line swap is CreateListWatch.
        await using var informer = new Informer<V1Pod>(client.CreateListWatch<V1Pod>());
        informer.AddEventHandler(ResourceEventHandler<V1Pod>.From(
            onAdd: (pod, initial) => Console.WriteLine($"added {pod.Metadata.Name}"),
            onUpdate: (old, pod) => Console.WriteLine($"updated {pod.Metadata.Name}"),
            onDelete: (pod, finalStateUnknown) => Console.WriteLine($"deleted {pod.Metadata.Name}")));
        informer.Start();
        if (!await informer.WaitForSyncAsync())                    // false: stopped before it synced
            return;
        var web = informer.Store.ByIndex(Indexes.Namespace, "web");
        // end README
        Assert.Empty(web); // the fixture's namespaces are ns-000 ... ns-199
        Assert.Equal(Pods, informer.Store.Count);
        await printed.WaitForAsync(l => l.StartsWith("added ", StringComparison.Ordinal), Pods)
            .WaitAsync(TimeSpan.FromMinutes(5)); // the handler runs on its own queue; the bound only turns a hang into a failure
    }

    [Fact]
    public async Task Many_handlers_one_informer_per_resource()
    {
        var client = new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig());
        // README: factory
        await using var factory = new SharedInformerFactory(client);
        var pods = factory.GetInformer<V1Pod>();
        var nodes = factory.GetInformer<V1Node>(configure: o => o with { StoreMode = StoreMode.Compact });
        factory.Start();
        await factory.WaitForCacheSyncAsync(TimeSpan.FromMinutes(2));
        // end README
        Assert.Equal(Pods, pods.Store.Count);
        Assert.Equal(Nodes, nodes.Store.Count);
        Assert.Equal(NodeFixture.Create(3).Metadata.Name, nodes.Store.Get(NodeFixture.Create(3).Metadata.Name)?.Metadata.Name);
    }

    [Fact]
    public async Task Your_own_list_and_watch_functions()
    {
        var client = new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig());
        // README: own-list-watch
        // using System.Runtime.CompilerServices; using StreamList.Listing; using StreamList.Watching;
        var builtIn = client.CreateListWatch<V1Pod>();
        var onlyProd = new ListWatch<V1Pod>(
            (request, progress, ct) => Where(builtIn.List(request, progress, ct), IsProd, ct),   // progress passes through
            (request, ct) => WhereEvents(builtIn.Watch(request, ct), IsProd, ct));
        await using var prodPods = new Informer<V1Pod>(onlyProd);

        static bool IsProd(V1Pod p) => p.Metadata.NamespaceProperty?.StartsWith("prod-") == true;
        static async IAsyncEnumerable<T> Where<T>(IAsyncEnumerable<T> items, Func<T, bool> keep, [EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var item in items.WithCancellation(ct))
                if (keep(item)) yield return item;
        }
        static async IAsyncEnumerable<WatchEvent<T>> WhereEvents<T>(IAsyncEnumerable<WatchEvent<T>> events, Func<T, bool> keep, [EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var e in events.WithCancellation(ct))
                if (e.Type == WatchEventKind.Bookmark || keep(e.Object)) yield return e;
        }
        // end README
        prodPods.Start();
        Assert.True(await prodPods.WaitForSyncAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(0, prodPods.Store.Count); // the fixture has no prod- namespaces: everything was filtered out
        Assert.Equal(1, _server.CountRequests(RequestKind.ConsistentList) + _server.CountRequests(RequestKind.CacheList));
    }

    [Fact]
    public async Task Scaling_out_a_replica_joins_a_shard_group()
    {
        var client = new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig());
        // README: scaling-out
        // using StreamList.Sharding;
        await using var group = new ShardGroup(client, new ShardGroupOptions
        {
            Group = "my-controller",
            Namespace = "my-controller-system",
            Identity = Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName,
        });
        await group.StartAsync();                           // holds its Lease, knows its shard among the live members
        await using var pods = new Informer<V1Pod>(client.CreateListWatch<V1Pod>(),
            new InformerOptions<V1Pod> { ShardSelector = group.Selector });
        group.SelectorChanged += pods.ChangeShardSelector;  // members come and go: the shard follows
        pods.Start();
        // end README
        Assert.True(await pods.WaitForSyncAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(Pods, pods.Store.Count); // the only member holds everything
        Assert.Equal(ShardSelector.Of(0, 1), pods.ShardSelector);
        var leases = _server.Collection<V1Lease>();
        Assert.NotNull(leases.Get("my-controller-system", group.LeaseName));
        await group.StopAsync();
        Assert.Null(leases.Get("my-controller-system", group.LeaseName)); // a clean stop hands its shard over at once
    }

    [Fact]
    public void The_README_shows_these_examples_as_they_run_here()
    {
        string root = RepositoryRoot();
        var source = File.ReadAllLines(Path.Combine(root, "tests", "StreamList.PublicApi.Tests", "ReadmeExamplesTests.cs"));
        string readme = string.Join('\n', File.ReadAllLines(Path.Combine(root, "README.md")));
        int examples = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (!source[i].TrimStart().StartsWith("// README: ", StringComparison.Ordinal))
                continue;
            int end = Array.FindIndex(source, i, l => l.Trim() == "// end README");
            var lines = source[(i + 1)..end];
            int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            string example = string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
            Assert.True(readme.Contains(example, StringComparison.Ordinal), $"README.md does not show the example '{source[i].Trim()}' as the test runs it:\n{example}");
            examples++;
        }
        Assert.Equal(4, examples);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamList.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("no StreamList.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>What the examples print, line by line; a wait for a number of matching lines (handlers print from their own queue).</summary>
    private sealed class LineRecorder : TextWriter
    {
        private readonly object _gate = new();
        private readonly System.Text.StringBuilder _current = new();
        private readonly List<string> _lines = [];
        private readonly List<(Func<string, bool> Match, int Count, TaskCompletionSource Done)> _waits = [];

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_gate)
            {
                if (value == '\r')
                    return;
                if (value != '\n')
                {
                    _current.Append(value);
                    return;
                }
                _lines.Add(_current.ToString());
                _current.Clear();
                foreach (var w in _waits.Where(w => _lines.Count(w.Match) >= w.Count))
                    w.Done.TrySetResult();
            }
        }

        public string[] Lines()
        {
            lock (_gate)
                return [.. _lines];
        }

        public Task WaitForAsync(Func<string, bool> match, int count)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (_lines.Count(match) >= count)
                    return Task.CompletedTask;
                _waits.Add((match, count, done));
            }
            return done.Task;
        }
    }
}
