using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Models;
using StreamList.Informers;
using StreamList.Tests.Support;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Tests.Informers;

public class InformerStoreTests
{
    private const string Node = "node";
    private const string Image = "image";

    private static readonly IndexFunc<V1Pod> s_byNode = p => p.Spec?.NodeName is { } n ? [n] : [];
    private static readonly IndexFunc<V1Pod> s_byImage = p => p.Spec?.Containers?.Select(c => c.Image) ?? [];

    public static TheoryData<StoreMode> Modes => new() { StoreMode.Objects, StoreMode.Compact };

    private static InformerStore<V1Pod> NewStore(StoreMode mode, bool withImages = false)
    {
        var indexers = new Dictionary<string, IndexFunc<V1Pod>> { [Node] = s_byNode };
        if (withImages)
            indexers[Image] = s_byImage;
        return new InformerStore<V1Pod>(mode, indexers, null) { NeedOldObjects = true };
    }

    private static V1Pod Pod(string ns, string name, string? node, long rv, string? uid = null, params string[] images) => new()
    {
        Metadata = new V1ObjectMeta
        {
            NamespaceProperty = ns,
            Name = name,
            Uid = uid ?? $"uid-{ns}-{name}",
            ResourceVersion = rv.ToString(CultureInfo.InvariantCulture),
            Labels = new Dictionary<string, string> { ["node"] = node ?? "" },
        },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = images.Length == 0
                ? [new V1Container { Name = "c", Image = "nginx:1.27" }]
                : [.. images.Select((image, i) => new V1Container { Name = $"c{i}", Image = image })],
        },
        Status = new V1PodStatus { Phase = "Running" },
    };

    private static string Json(object? o) => KubernetesJson.Serialize(o);

    [Theory]
    [MemberData(nameof(Modes))]
    public void GetMetadata_reads_the_metadata_alone_as_Get_would_give_it(StoreMode mode)
    {
        var store = NewStore(mode);
        var pod = Pod("ns", "a", "n1", 5);
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "rs", Uid = "u" }];
        store.Upsert(pod);
        var fromWire = ListEncoding.EncodeMessage(Pod("ns", "b", "n2", 6));
        if (mode == StoreMode.Compact)
            store.UpsertMessage(new ItemIdentity("ns", "b", "uid-ns-b", "6"), fromWire);

        Assert.Equal(Json(store.Get("ns/a")!.Metadata), Json(store.GetMetadata("ns/a")));
        if (mode == StoreMode.Objects)
            Assert.Same(pod.Metadata, store.GetMetadata("ns/a"));
        else
            Assert.Equal(Json(store.Get("ns/b")!.Metadata), Json(store.GetMetadata("ns/b")));
        Assert.Null(store.GetMetadata("ns/missing"));
    }

    [Fact]
    public void UpsertMessage_keeps_the_given_bytes_indexes_them_and_reports_payloads_not_objects()
    {
        var store = NewStore(StoreMode.Compact);
        var first = ListEncoding.EncodeMessage(Pod("ns", "a", "n1", 5));
        var added = store.UpsertMessage(new ItemIdentity("ns", "a", "uid-ns-a", "5"), first)!.Value;
        Assert.Equal((DeltaType.Added, (object?)null, (object?)first), (added.Type, added.OldPayload, added.NewPayload));
        Assert.Null(added.New);
        Assert.Same(first, store.SnapshotPayloads().Single());
        Assert.Equal(["ns/a"], store.IndexKeys(Node, "n1"));
        Assert.Equal(["ns/a"], store.IndexKeys(Indexes.Namespace, "ns"));

        var second = ListEncoding.EncodeMessage(Pod("ns", "a", "n2", 6));
        var updated = store.UpsertMessage(new ItemIdentity("ns", "a", "uid-ns-a", "6"), second)!.Value;
        Assert.Equal((DeltaType.Updated, (object?)first, (object?)second), (updated.Type, updated.OldPayload, updated.NewPayload));
        Assert.Empty(store.IndexKeys(Node, "n1"));
        Assert.Equal(["ns/a"], store.IndexKeys(Node, "n2"));
        Assert.Equal("6", store.ResourceVersionOf("ns/a"));
        Assert.Equal(second.Length, store.EncodedBytes);

        Assert.Throws<ArgumentException>(() => store.UpsertMessage(new ItemIdentity("ns", "", "u", "7"), second));
        Assert.Throws<ArgumentException>(() => NewStore(StoreMode.Objects).UpsertMessage(new ItemIdentity("ns", "a", "u", "7"), second));
        Assert.Equal("6", store.ResourceVersionOf("ns/a"));
    }

    /// <summary>What a compact store gives back for <paramref name="put"/>: a codec round trip (Go value-struct defaults), apiVersion/kind from the registry.</summary>
    private static V1Pod RoundTrip(V1Pod put) => KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(put));

    /// <summary>Objects mode returns the instance put; compact mode an equal, freshly decoded one.</summary>
    private static void AssertHolds(StoreMode mode, V1Pod put, V1Pod? got)
    {
        Assert.NotNull(got);
        if (mode == StoreMode.Objects)
            Assert.Same(put, got);
        else
        {
            Assert.NotSame(put, got);
            Assert.Equal("v1", got.ApiVersion);
            Assert.Equal("Pod", got.Kind);
            Assert.Equal(Json(RoundTrip(put)), Json(got));
        }
    }

    // ---- add / update / delete ----

    [Theory]
    [MemberData(nameof(Modes))]
    public void Add_update_and_delete_report_the_right_deltas(StoreMode mode)
    {
        var store = NewStore(mode);
        var v1 = Pod("ns-a", "p1", "node-1", 10);

        var added = store.Upsert(v1)!.Value;
        Assert.Equal(DeltaType.Added, added.Type);
        Assert.Equal("ns-a/p1", added.Key);
        Assert.Null(added.Old);
        Assert.Same(v1, added.New);
        Assert.Equal(1, store.Count);
        AssertHolds(mode, v1, store.Get("ns-a/p1"));
        Assert.Equal("10", store.ResourceVersionOf("ns-a/p1"));

        var v2 = Pod("ns-a", "p1", "node-2", 11);
        var updated = store.Upsert(v2)!.Value;
        Assert.Equal(DeltaType.Updated, updated.Type);
        Assert.Equal("ns-a/p1", updated.Key);
        AssertHolds(mode, v1, updated.Old);
        Assert.Same(v2, updated.New);
        AssertHolds(mode, v2, store.Get("ns-a/p1"));
        Assert.Equal("11", store.ResourceVersionOf("ns-a/p1"));

        // An update that changes nothing is still reported, as client-go does.
        var same = store.Upsert(v2)!.Value;
        Assert.Equal(DeltaType.Updated, same.Type);
        AssertHolds(mode, v2, same.Old);

        var deleted = store.Delete("ns-a/p1", null)!.Value;
        Assert.Equal(DeltaType.Deleted, deleted.Type);
        Assert.Equal("ns-a/p1", deleted.Key);
        AssertHolds(mode, v2, deleted.Old);
        Assert.Null(deleted.New);
        Assert.False(deleted.FinalStateUnknown);
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.EncodedBytes);
        Assert.Null(store.Get("ns-a/p1"));
        Assert.Null(store.ResourceVersionOf("ns-a/p1"));
        Assert.Empty(store.List());
        Assert.Null(store.Delete("ns-a/p1", null));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Keys_and_versions_are_listed_without_building_objects_and_a_shard_removal_reports_each_delete(StoreMode mode)
    {
        var store = new InformerStore<V1Pod>(mode, null, null);
        store.Upsert(Pod("a", "p1", null, 5, "uid-1"));
        store.Upsert(Pod("b", "p2", null, 6, "uid-2"));
        store.Upsert(Pod("b", "p3", null, 7, "uid-3"));
        Assert.Equal([("a/p1", "5"), ("b/p2", "6"), ("b/p3", "7")], store.ListResourceVersions().Order());

        // Keep namespace b except uid-3: the other two go, each with its stored state, not a tombstone.
        var gone = store.RemoveUnless((ns, uid) => ns == "b" && uid != "uid-3");
        Assert.Equal(["a/p1", "b/p3"], gone.Select(d => d.Key).Order());
        Assert.All(gone, d => Assert.Equal((DeltaType.Deleted, false), (d.Type, d.FinalStateUnknown)));
        Assert.Equal("7", gone.Single(d => d.Key == "b/p3").Old!.Metadata.ResourceVersion);
        Assert.Equal([("b/p2", "6")], store.ListResourceVersions());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_delete_reports_the_last_seen_state_when_given(StoreMode mode)
    {
        var store = NewStore(mode);
        store.Upsert(Pod("ns", "p", "n", 1));
        var final = Pod("ns", "p", "n", 2);
        var d = store.Delete("ns/p", final)!.Value;
        Assert.Same(final, d.Old);
        Assert.Null(store.Delete("ns/p", final));

        store.Upsert(Pod("ns", "p", "n", 3));
        Assert.Throws<ArgumentException>(() => store.Delete("ns/p", Pod("ns", "other", "n", 4)));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void A_compact_store_decodes_old_objects_only_when_asked()
    {
        var store = new InformerStore<V1Pod>(StoreMode.Compact, null, null);
        Assert.False(store.NeedOldObjects);
        store.Upsert(Pod("ns", "p", "n", 1));
        Assert.Null(store.Upsert(Pod("ns", "p", "n", 2))!.Value.Old);
        store.NeedOldObjects = true;
        Assert.Equal("2", store.Upsert(Pod("ns", "p", "n", 3))!.Value.Old!.Metadata.ResourceVersion);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Objects_without_a_name_are_refused(StoreMode mode)
    {
        var store = NewStore(mode);
        Assert.Throws<ArgumentException>(() => store.Upsert(new V1Pod()));
        Assert.Throws<ArgumentException>(() => store.Upsert(new V1Pod { Metadata = new V1ObjectMeta { NamespaceProperty = "ns" } }));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Cluster_scoped_objects_are_keyed_by_name_and_indexed_under_the_empty_namespace()
    {
        var store = new InformerStore<V1Node>(StoreMode.Compact, null, null);
        store.Upsert(new V1Node { Metadata = new V1ObjectMeta { Name = "node-1", ResourceVersion = "1" } });
        Assert.Equal(["node-1"], store.ListKeys());
        Assert.Equal(["node-1"], store.IndexKeys(Indexes.Namespace, ""));
        Assert.Equal("Node", store.Get("node-1")!.Kind);
    }

    // ---- indexes ----

    [Theory]
    [MemberData(nameof(Modes))]
    public void Indexes_stay_exact_through_updates_and_deletes(StoreMode mode)
    {
        var store = NewStore(mode, withImages: true);
        var model = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
        var random = new Random(42);
        string[] images = ["nginx", "redis", "envoy", "busybox"];
        for (int op = 0; op < 600; op++)
        {
            string ns = $"ns-{random.Next(3)}", name = $"p{random.Next(12)}", key = $"{ns}/{name}";
            if (random.Next(4) == 0)
            {
                var d = store.Delete(key, null);
                Assert.Equal(model.Remove(key), d is not null);
            }
            else
            {
                string? node = random.Next(5) is var n && n == 4 ? null : $"node-{n}";
                // 1-3 containers whose images may repeat: the index holds each value once.
                var pod = Pod(ns, name, node, op, null, [.. Enumerable.Range(0, 1 + random.Next(3)).Select(_ => images[random.Next(images.Length)])]);
                var delta = store.Upsert(pod)!.Value;
                Assert.Equal(model.ContainsKey(key) ? DeltaType.Updated : DeltaType.Added, delta.Type);
                model[key] = pod;
            }
            AssertIndexesMatch(store, model);
        }
        foreach (string key in model.Keys.ToList())
        {
            Assert.NotNull(store.Delete(key, null));
            model.Remove(key);
        }
        AssertIndexesMatch(store, model);
        Assert.Empty(store.IndexValues(Indexes.Namespace));
        Assert.Empty(store.IndexValues(Node));
        Assert.Empty(store.IndexValues(Image));
        Assert.Equal(0, store.EncodedBytes);
    }

    /// <summary>Every index holds exactly the values and keys the model gives: nothing missing, nothing leaked.</summary>
    private static void AssertIndexesMatch(InformerStore<V1Pod> store, Dictionary<string, V1Pod> model)
    {
        Assert.Equal(model.Count, store.Count);
        Assert.Equal(model.Keys.Order(StringComparer.Ordinal), store.ListKeys().Order(StringComparer.Ordinal));
        AssertIndex(store, Indexes.Namespace, model.Select(kv => (kv.Value.Metadata.NamespaceProperty, kv.Key)));
        AssertIndex(store, Node, model.Where(kv => kv.Value.Spec.NodeName is not null).Select(kv => (kv.Value.Spec.NodeName, kv.Key)));
        AssertIndex(store, Image, model.SelectMany(kv => kv.Value.Spec.Containers.Select(c => c.Image).Distinct().Select(i => (i, kv.Key))));
        if (store.Mode == StoreMode.Compact)
            Assert.Equal(model.Values.Sum(p => (long)ListEncoding.EncodeMessage(p).Length), store.EncodedBytes);
    }

    private static void AssertIndex(InformerStore<V1Pod> store, string index, IEnumerable<(string Value, string Key)> expected)
    {
        var byValue = expected.ToLookup(e => e.Value, e => e.Key, StringComparer.Ordinal);
        Assert.Equal(byValue.Select(g => g.Key).Order(StringComparer.Ordinal), store.IndexValues(index).Order(StringComparer.Ordinal));
        foreach (var g in byValue)
        {
            Assert.Equal(g.Order(StringComparer.Ordinal), store.IndexKeys(index, g.Key).Order(StringComparer.Ordinal));
            Assert.Equal(g.Order(StringComparer.Ordinal), store.ByIndex(index, g.Key).Select(p => ObjectKey.For(p.Metadata)).Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void AddIndexer_indexes_objects_already_stored(StoreMode mode)
    {
        var store = new InformerStore<V1Pod>(mode, null, null);
        for (int i = 0; i < 6; i++)
            store.Upsert(SmallObjects.Pod(i));
        store.AddIndexer(Node, s_byNode);
        Assert.Equal(["node-0", "node-1"], store.IndexValues(Node).Order(StringComparer.Ordinal));
        Assert.Equal(["ns-0/pod-0", "ns-1/pod-4", "ns-2/pod-2"], store.IndexKeys(Node, "node-0").Order(StringComparer.Ordinal));

        // Later changes keep the new index exact too.
        var moved = SmallObjects.Pod(0);
        moved.Spec.NodeName = "node-9";
        store.Upsert(moved);
        store.Delete("ns-1/pod-4", null);
        Assert.Equal(["ns-2/pod-2"], store.IndexKeys(Node, "node-0"));
        Assert.Equal(["ns-0/pod-0"], store.IndexKeys(Node, "node-9"));
        Assert.Equal([Indexes.Namespace, Node], store.IndexNames().Order(StringComparer.Ordinal));

        Assert.Throws<ArgumentException>(() => store.AddIndexer(Node, s_byNode));
        Assert.Throws<ArgumentException>(() => store.AddIndexer(Indexes.Namespace, s_byNode));
        Assert.Throws<ArgumentException>(() => store.ByIndex("missing", "x"));
        Assert.Throws<ArgumentException>(() => store.IndexKeys("missing", "x"));
        Assert.Throws<ArgumentException>(() => new InformerStore<V1Pod>(mode, new Dictionary<string, IndexFunc<V1Pod>> { [Indexes.Namespace] = s_byNode }, null));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_throwing_index_function_changes_nothing(StoreMode mode)
    {
        var store = new InformerStore<V1Pod>(mode, new Dictionary<string, IndexFunc<V1Pod>>
        {
            ["picky"] = p => p.Spec.NodeName == "bad" ? throw new InvalidOperationException("no") : [p.Spec.NodeName],
        }, null);
        var good = Pod("ns", "p", "good", 1);
        store.Upsert(good);
        Assert.Throws<InvalidOperationException>(() => store.Upsert(Pod("ns", "p", "bad", 2)));
        Assert.Throws<InvalidOperationException>(() => store.Upsert(Pod("ns", "q", "bad", 3)));
        Assert.Throws<InvalidOperationException>(() => store.AddIndexer("also-picky", p => p.Metadata.Name == "p" ? throw new InvalidOperationException("no") : []));
        Assert.Equal(["ns/p"], store.ListKeys());
        Assert.Equal("1", store.ResourceVersionOf("ns/p"));
        Assert.Equal(["ns/p"], store.IndexKeys("picky", "good"));
        Assert.Empty(store.IndexKeys("picky", "bad"));
        Assert.Equal(["namespace", "picky"], store.IndexNames().Order(StringComparer.Ordinal));
    }

    // ---- relist ----

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_relist_deletes_only_what_it_did_not_see_with_tombstones(StoreMode mode)
    {
        var store = NewStore(mode);
        var a = Pod("ns", "a", "n1", 1);
        var b = Pod("ns", "b", "n1", 1);
        var c = Pod("ns", "c", "n2", 1);
        var e = Pod("ns", "e", "n2", 1);
        var f = Pod("ns", "f", "n3", 1);
        foreach (var p in new[] { a, b, c, e, f })
            store.Upsert(p);

        long generation = store.BeginRelist();
        Assert.True(store.TryMarkUnchanged("ns/a", "uid-ns-a", "1"));     // unchanged: kept without decoding
        Assert.False(store.TryMarkUnchanged("ns/b", "uid-ns-b", "2"));    // changed: the caller upserts it
        var b2 = Pod("ns", "b", "n2", 2);
        Assert.Equal(DeltaType.Updated, store.Upsert(b2)!.Value.Type);
        Assert.False(store.TryMarkUnchanged("ns/c", "uid-other", "1"));   // recreated with a new uid, not upserted: gone
        Assert.False(store.TryMarkUnchanged("ns/d", "uid-ns-d", "1"));    // not stored
        var d = Pod("ns", "d", "n3", 5);
        Assert.Equal(DeltaType.Added, store.Upsert(d)!.Value.Type);       // new during the relist: kept
        store.MarkSeen("ns/e");
        store.MarkSeen("ns/zzz");                                          // unknown: nothing to mark
        // f is not listed at all.

        var deltas = store.EndRelist().OrderBy(x => x.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(["ns/c", "ns/f"], deltas.Select(x => x.Key));
        Assert.All(deltas, x =>
        {
            Assert.Equal(DeltaType.Deleted, x.Type);
            Assert.True(x.FinalStateUnknown);
            Assert.Null(x.New);
        });
        AssertHolds(mode, c, deltas[0].Old);
        AssertHolds(mode, f, deltas[1].Old);
        Assert.Equal(["ns/a", "ns/b", "ns/d", "ns/e"], store.ListKeys().Order(StringComparer.Ordinal));
        Assert.Equal(["ns/a"], store.IndexKeys(Node, "n1"));
        Assert.Equal(["ns/b", "ns/e"], store.IndexKeys(Node, "n2").Order(StringComparer.Ordinal));
        Assert.Equal(["ns/d"], store.IndexKeys(Node, "n3"));

        // The next relist starts a new generation: what the last one saw no longer counts.
        Assert.True(store.BeginRelist() > generation);
        Assert.True(store.TryMarkUnchanged("ns/d", "uid-ns-d", "5"));
        var all = store.EndRelist();
        Assert.Equal(["ns/a", "ns/b", "ns/e"], all.Select(x => x.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["ns/d"], store.ListKeys());
        Assert.Equal(["n3"], store.IndexValues(Node));
        Assert.Equal(["ns"], store.IndexValues(Indexes.Namespace));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void An_aborted_relist_deletes_nothing(StoreMode mode)
    {
        var store = NewStore(mode);
        for (int i = 0; i < 5; i++)
            store.Upsert(SmallObjects.Pod(i));
        store.BeginRelist();
        Assert.True(store.TryMarkUnchanged("ns-0/pod-0", "uid-0", "1000"));
        store.AbortRelist();
        Assert.Equal(5, store.Count);
        Assert.Throws<InvalidOperationException>(() => store.EndRelist());
        Assert.Throws<InvalidOperationException>(() => store.TryMarkUnchanged("ns-0/pod-0", "uid-0", "1000"));
        Assert.Throws<InvalidOperationException>(() => store.MarkSeen("ns-0/pod-0"));
        store.AbortRelist(); // harmless when no relist is in progress

        // A relist that sees everything deletes nothing; an empty resourceVersion is never "unchanged".
        store.BeginRelist();
        Assert.False(store.TryMarkUnchanged("ns-0/pod-0", "uid-0", ""));
        for (int i = 0; i < 5; i++)
            Assert.True(store.TryMarkUnchanged(ObjectKey.For($"ns-{i % 3}", $"pod-{i}"), $"uid-{i}", (1000 + i).ToString(CultureInfo.InvariantCulture)));
        Assert.Empty(store.EndRelist());
        Assert.Equal(5, store.Count);
    }

    // ---- compact mode ----

    [Fact]
    public void A_compact_store_keeps_no_reference_to_the_object_given()
    {
        var store = NewStore(StoreMode.Compact);
        var pod = SmallObjects.Pod(7);
        var expected = Json(RoundTrip(pod));
        store.Upsert(pod);
        Assert.Equal(ListEncoding.EncodeMessage(pod).Length, store.EncodedBytes);

        pod.Metadata.Labels["app"] = "changed";
        pod.Metadata.ResourceVersion = "99999";
        pod.Spec.NodeName = "elsewhere";
        pod.Spec.Containers[0].Image = "changed";
        pod.Status.Phase = "Failed";

        var got = store.Get("ns-1/pod-7")!;
        Assert.Equal(expected, Json(got));
        Assert.Equal("1007", store.ResourceVersionOf("ns-1/pod-7"));
        Assert.Equal(["ns-1/pod-7"], store.IndexKeys(Node, "node-1"));
        Assert.Empty(store.IndexKeys(Node, "elsewhere"));

        // Every read is a fresh instance: a reader's mutation never reaches the store.
        got.Metadata.Name = "mutated";
        Assert.NotSame(got, store.Get("ns-1/pod-7"));
        Assert.Equal(expected, Json(store.Get("ns-1/pod-7")));
    }

    [Fact]
    public void A_compact_store_reads_back_equal_objects()
    {
        var store = NewStore(StoreMode.Compact);
        var pods = new List<V1Pod>();
        for (int i = 0; i < 20; i++)
        {
            var pod = i % 2 == 0 ? SmallObjects.Pod(i) : KubernetesProtobuf.Decode<V1Pod>(Fixtures.Protobuf("core.v1.Pod"));
            if (i % 2 == 1)
            {
                pod.Metadata.Name = $"big-{i}";
                pod.Metadata.NamespaceProperty = "big";
                pod.Spec.NodeName = "node-big";
            }
            pods.Add(pod);
            store.Upsert(pod);
        }
        var expected = pods.ToDictionary(p => ObjectKey.For(p.Metadata), p => Json(RoundTrip(p)), StringComparer.Ordinal);
        foreach (var (key, json) in expected)
            Assert.Equal(json, Json(store.Get(key)));
        var listed = store.List();
        Assert.Equal(expected.Count, listed.Count);
        foreach (var p in listed)
            Assert.Equal(expected[ObjectKey.For(p.Metadata)], Json(p));
        Assert.Equal(expected.Where(kv => kv.Key.StartsWith("big/", StringComparison.Ordinal)).Select(kv => kv.Value).Order(StringComparer.Ordinal),
            store.ByIndex(Node, "node-big").Select(Json).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, store.Snapshot().Count);
        Assert.Equal(pods.Sum(p => (long)ListEncoding.EncodeMessage(p).Length), store.EncodedBytes);
    }

    [Fact]
    public void Compact_mode_needs_a_protobuf_encoding()
    {
        Assert.Throws<ArgumentException>(() => new InformerStore<NoProtobuf>(StoreMode.Compact, null, null));
        var store = new InformerStore<NoProtobuf>(StoreMode.Objects, null, null);
        var obj = new NoProtobuf { Metadata = new V1ObjectMeta { Name = "x", NamespaceProperty = "ns" } };
        store.Upsert(obj);
        Assert.Same(obj, store.Get("ns/x"));
        Assert.Equal(0, store.EncodedBytes);
    }

    public sealed class NoProtobuf : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "example.com/v1";
        public string Kind { get; set; } = "NoProtobuf";
        public V1ObjectMeta Metadata { get; set; } = new();
    }

    // ---- concurrency ----

    /// <summary>
    /// One writer upserts and deletes while readers check, on everything they see, that each pod is
    /// under the index values its own node name, label and namespace give (an object and its index
    /// entries change together), that no key is ever missing from the store or its index while
    /// being updated (namespace <c>pinned</c> is only ever updated, never deleted), that keys are
    /// unique, and that a key's resourceVersion never goes back (nothing stale stays indexed).
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public void Readers_never_see_a_half_applied_change(StoreMode mode)
    {
        var store = NewStore(mode);
        const int Keys = 30, Operations = 12_000;
        string[] nodes = ["n0", "n1", "n2", "n3"];
        string[] namespaces = ["churn", "pinned"];
        var failures = new ConcurrentQueue<string>();
        using var done = new CancellationTokenSource();
        long reads = 0;
        var model = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
        for (int i = 0; i < Keys; i++)
        {
            var pod = Pod("pinned", $"p{i}", nodes[i % nodes.Length], 0);
            store.Upsert(pod);
            model[ObjectKey.For(pod.Metadata)] = pod;
        }

        void Check(bool condition, string what)
        {
            if (!condition)
                failures.Enqueue(what);
        }

        void Reader(int seed)
        {
            var random = new Random(seed);
            var lastRv = new Dictionary<string, long>(StringComparer.Ordinal);

            void See(V1Pod p, string? underNode, string? underNamespace)
            {
                string key = ObjectKey.For(p.Metadata);
                Check(p.Metadata.Labels["node"] == p.Spec.NodeName, $"{key}: label {p.Metadata.Labels["node"]} != node {p.Spec.NodeName}");
                if (underNode is not null)
                    Check(p.Spec.NodeName == underNode, $"{key} on {p.Spec.NodeName} listed under {underNode}");
                if (underNamespace is not null)
                    Check(p.Metadata.NamespaceProperty == underNamespace, $"{key} listed under namespace {underNamespace}");
                long rv = long.Parse(p.Metadata.ResourceVersion, CultureInfo.InvariantCulture);
                long last = lastRv.GetValueOrDefault(key);
                Check(rv >= last, $"{key}: resourceVersion went back from {last} to {rv}");
                lastRv[key] = rv;
            }

            try
            {
                while (!done.IsCancellationRequested)
                {
                    string ns = namespaces[random.Next(2)], key = $"{ns}/p{random.Next(Keys)}";
                    var got = store.Get(key);
                    if (got is not null)
                        See(got, null, null);
                    else
                        Check(ns != "pinned", $"{key} missing");

                    string node = nodes[random.Next(nodes.Length)];
                    foreach (var p in store.ByIndex(Node, node))
                        See(p, node, null);
                    var keys = store.IndexKeys(Node, node);
                    Check(keys.Distinct().Count() == keys.Count, "duplicate keys in an index");

                    var pinned = store.ByIndex(Indexes.Namespace, "pinned");
                    Check(pinned.Count == Keys, $"{pinned.Count} pinned objects in the namespace index");
                    foreach (var p in pinned)
                        See(p, null, "pinned");
                    Check(store.IndexKeys(Indexes.Namespace, "pinned").Count == Keys, "pinned keys missing from the namespace index");

                    if (random.Next(8) == 0)
                    {
                        var all = store.List();
                        foreach (var p in all)
                            See(p, null, null);
                        Check(all.Select(p => ObjectKey.For(p.Metadata)).Distinct().Count() == all.Count, "duplicate keys in List");
                        Check(all.Count(p => p.Metadata.NamespaceProperty == "pinned") == Keys, "pinned objects missing from List");
                    }
                    Interlocked.Increment(ref reads);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e.ToString());
            }
        }

        var readers = Enumerable.Range(0, 2).Select(i => new Thread(() => Reader(i)) { IsBackground = true }).ToList();
        readers.ForEach(t => t.Start());
        var writer = new Thread(() =>
        {
            try
            {
                var random = new Random(7);
                for (int op = 1; op <= Operations; op++)
                {
                    string ns = namespaces[random.Next(2)], name = $"p{random.Next(Keys)}", key = $"{ns}/{name}";
                    if (ns == "churn" && random.Next(3) == 0)
                    {
                        store.Delete(key, null);
                        model.Remove(key);
                    }
                    else
                    {
                        var pod = Pod(ns, name, nodes[random.Next(nodes.Length)], op);
                        store.Upsert(pod);
                        model[key] = pod;
                    }
                    if (op % 3000 == 0)
                    {
                        // A relist that keeps everything, racing with the readers too.
                        store.BeginRelist();
                        foreach (var (k, p) in model)
                            Check(store.TryMarkUnchanged(k, p.Metadata.Uid, p.Metadata.ResourceVersion), $"{k} not unchanged");
                        Check(store.EndRelist().Count == 0, "relist deleted something");
                    }
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e.ToString());
            }
        });
        writer.Start();
        Assert.True(writer.Join(TimeSpan.FromSeconds(60)), "writer did not finish");
        done.Cancel();
        readers.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30)), "reader did not finish"));

        Assert.Empty(failures.Take(20));
        Assert.True(Interlocked.Read(ref reads) > 0);
        AssertIndexesMatchPods(store, model);
    }

    private static void AssertIndexesMatchPods(InformerStore<V1Pod> store, Dictionary<string, V1Pod> model)
    {
        Assert.Equal(model.Keys.Order(StringComparer.Ordinal), store.ListKeys().Order(StringComparer.Ordinal));
        AssertIndex(store, Indexes.Namespace, model.Select(kv => (kv.Value.Metadata.NamespaceProperty, kv.Key)));
        AssertIndex(store, Node, model.Select(kv => (kv.Value.Spec.NodeName, kv.Key)));
    }
}
