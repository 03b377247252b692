using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using StreamList.Testing.Fixture;
using StreamList.Codec;

namespace StreamList.Tests.Testing;

/// <summary>The pod fixture is deterministic, shaped and sized as docs/fixture.md says, and round-trips.</summary>
public partial class PodFixtureTests
{
    private const int Seed = 42;

    [Fact]
    public void Same_seed_and_index_give_the_same_bytes()
    {
        foreach (int i in new[] { 0, 1, 17, 4_999, 123_456, 499_999 })
        {
            Assert.Equal(KubernetesProtobuf.Encode(PodFixture.Create(Seed, i)), KubernetesProtobuf.Encode(PodFixture.Create(Seed, i)));
            Assert.Equal(KubernetesJson.Serialize(PodFixture.Create(Seed, i)), KubernetesJson.Serialize(PodFixture.Create(Seed, i)));
        }
    }

    [Fact]
    public async Task Pods_do_not_depend_on_the_pods_made_before_them()
    {
        var alone = KubernetesProtobuf.Encode(PodFixture.Create(Seed, 300));
        for (int i = 0; i < 300; i++)
            _ = PodFixture.Create(Seed, i);
        var afterOthers = await Task.Run(() => KubernetesProtobuf.Encode(PodFixture.Create(Seed, 300)));
        Assert.Equal(alone, afterOthers);
    }

    [Fact]
    public void Different_indexes_and_seeds_give_different_pods()
    {
        var names = new HashSet<string>();
        var uids = new HashSet<string>();
        for (int i = 0; i < 2_000; i++)
        {
            var pod = PodFixture.Create(Seed, i);
            Assert.True(names.Add(pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name));
            Assert.True(uids.Add(pod.Metadata.Uid));
        }
        Assert.NotEqual(KubernetesProtobuf.Encode(PodFixture.Create(1, 5)), KubernetesProtobuf.Encode(PodFixture.Create(2, 5)));
        Assert.NotEqual(PodFixture.Create(1, 5).Metadata.Uid, PodFixture.Create(2, 5).Metadata.Uid);
    }

    [Fact]
    public void Identity_follows_the_spec()
    {
        for (int i = 0; i < 1_000; i += 7)
        {
            var m = PodFixture.Create(Seed, i).Metadata;
            Assert.Equal($"ns-{i % 200:000}", m.NamespaceProperty);
            Assert.Equal(PodFixture.NamespaceOf(i), m.NamespaceProperty);
            Assert.Matches(NameShape(), m.Name);
            Assert.Equal(i.ToString("x8", CultureInfo.InvariantCulture), m.Name.Split('-')[^2]);
            Assert.StartsWith(m.Labels["app"] + "-", m.Name, StringComparison.Ordinal);
            Assert.Equal(m.Name[..^5], m.GenerateName);
            Assert.Matches(UuidShape(), m.Uid);
            Assert.Equal((1_000_000 + i).ToString(CultureInfo.InvariantCulture), m.ResourceVersion);
        }
    }

    [Fact]
    public void Shape_follows_the_spec()
    {
        int pending = 0, finalizers = 0, inits = 0;
        var apps = new HashSet<string>();
        var images = new HashSet<string>();
        var nodes = new HashSet<string>();
        const int n = 3_000;
        for (int i = 0; i < n; i++)
        {
            var pod = PodFixture.Create(Seed, i);
            var m = pod.Metadata;
            Assert.Equal(["app", "pod-template-hash", "team", "tier", "version", "zone"], m.Labels.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(3, m.Annotations.Count);
            Assert.Contains(m.Annotations.Values, v => v.Length is >= 250 and <= 350);
            var owner = Assert.Single(m.OwnerReferences);
            Assert.Equal(("ReplicaSet", true), (owner.Kind, owner.Controller == true));
            Assert.Equal(3, m.ManagedFields.Count);
            Assert.Equal("status", m.ManagedFields[1].Subresource);
            Assert.Contains(m.ManagedFields, f => f.Operation == "Apply");
            int fields = m.ManagedFields.Sum(f => ((JsonElement)f.FieldsV1).GetRawText().Length);
            Assert.InRange(fields, 800, 1_200);

            Assert.Equal(2, pod.Spec.Containers.Count);
            foreach (var c in pod.Spec.Containers)
            {
                Assert.InRange(c.Ports.Count, 1, 2);
                Assert.Equal(6, c.Env.Count);
                Assert.Single(c.Env, e => e.ValueFrom is not null);
                Assert.Equal(3, c.VolumeMounts.Count);
                Assert.NotNull(c.LivenessProbe.HttpGet.Port);
                Assert.NotNull(c.ReadinessProbe.HttpGet.Port);
                Assert.True(c.Resources.Requests.ContainsKey("cpu") && c.Resources.Limits.ContainsKey("memory"));
                Assert.NotNull(c.SecurityContext);
                images.Add(c.Image);
            }
            Assert.Equal(3, pod.Spec.Volumes.Count);
            Assert.Equal(2, pod.Spec.Tolerations.Count(t => t.TolerationSeconds is not null));
            Assert.Equal(5, pod.Status.Conditions.Count);
            Assert.Equal(2, pod.Status.ContainerStatuses.Count);
            Assert.Equal(2, pod.Status.PodIPs.Count);
            Assert.All(pod.Status.ContainerStatuses, s => Assert.Contains("@sha256:", s.ImageID, StringComparison.Ordinal));
            foreach (var t in Timestamps(pod))
            {
                Assert.Equal(2026, t.Year);
                Assert.Equal(0, t.Ticks % TimeSpan.TicksPerSecond);
                Assert.Equal(DateTimeKind.Utc, t.Kind);
            }

            pending += pod.Status.Phase == "Pending" ? 1 : 0;
            finalizers += m.Finalizers?.Count ?? 0;
            inits += pod.Spec.InitContainers?.Count ?? 0;
            apps.Add(m.Labels["app"]);
            nodes.Add(pod.Spec.NodeName);
        }
        Assert.InRange(pending, n / 100 / 3, n / 100 * 3);
        Assert.InRange(finalizers, n / 50 / 2, n / 50 * 2);
        Assert.InRange(inits, n / 5 * 3 / 4, n / 5 * 5 / 4);
        Assert.InRange(apps.Count, 45, 55);
        Assert.InRange(images.Count, 30, 45);
        Assert.True(nodes.Count > 2_000, $"{nodes.Count} nodes");
    }

    [Fact]
    public void Sizes_land_in_the_spec_band()
    {
        var report = FixtureSizes.Measure(Seed, 1_000);
        Assert.InRange(report.ProtobufBytesPerPod, 4_000, 5_500);
        Assert.InRange(report.MinProtobufBytes, 4_000, 5_500);
        Assert.InRange(report.MaxProtobufBytes, 4_000, 5_500);
        Assert.InRange(report.JsonToProtobufRatio, 1.6, 2.0);
        Assert.InRange(report.ManagedFieldsBytesPerPod, 800, 1_200);
        Assert.Contains("\"protobufBytesPerPod\":", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pods_round_trip_through_protobuf_and_json_unchanged()
    {
        for (int i = 0; i < 500; i++)
        {
            var pod = PodFixture.Create(Seed, i);
            string json = KubernetesJson.Serialize(pod);
            Assert.Equal(json, KubernetesJson.Serialize(KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(pod))));
            Assert.Equal(json, KubernetesJson.Serialize(KubernetesJson.Deserialize<V1Pod>(json)));
        }
    }

    [Fact]
    public void A_modified_copy_keeps_identity_and_changes_what_the_spec_says()
    {
        var pod = PodFixture.Create(Seed, 9);
        string before = KubernetesJson.Serialize(pod);

        var status = PodFixture.Modify(pod, 2_000_000);
        var annotation = PodFixture.Modify(pod, 2_000_001);

        Assert.Equal(before, KubernetesJson.Serialize(pod)); // input untouched
        foreach (var (copy, rv) in new[] { (status, 2_000_000L), (annotation, 2_000_001L) })
        {
            Assert.Equal(pod.Metadata.Uid, copy.Metadata.Uid);
            Assert.Equal(pod.Metadata.Name, copy.Metadata.Name);
            Assert.Equal(rv.ToString(CultureInfo.InvariantCulture), copy.Metadata.ResourceVersion);
            Assert.NotEqual(before, KubernetesJson.Serialize(copy));
            Assert.Contains(copy.Metadata.ManagedFields, f => f.Time == PodFixture.ModificationTime(rv));
            Assert.Equal(2026, PodFixture.ModificationTime(rv).Year);
        }
        Assert.All(status.Status.Conditions, c => Assert.Equal(PodFixture.ModificationTime(2_000_000), c.LastProbeTime));
        Assert.Equal("2000001", annotation.Metadata.Annotations[PodFixture.RevisionAnnotation]);

        // Modified pods still round-trip, so servers can store and re-encode them.
        Assert.Equal(KubernetesJson.Serialize(annotation), KubernetesJson.Serialize(KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(annotation))));
        Assert.Equal(KubernetesJson.Serialize(pod), KubernetesJson.Serialize(PodFixture.Copy(pod)));
    }

    [Fact]
    public void Churn_plans_are_deterministic_and_sized_per_spec()
    {
        var plan = FixtureChurn.Plan(Seed, 10, round: 3, liveCount: 2_000);
        Assert.Equal(200, plan.Modified.Count);
        Assert.Equal(20, plan.Deleted.Count);
        Assert.Equal(20, plan.Created);
        Assert.Empty(plan.Modified.Intersect(plan.Deleted));
        Assert.Equal(plan.Modified.Order(), plan.Modified);
        Assert.All(plan.Modified.Concat(plan.Deleted), p => Assert.InRange(p, 0, 1_999));

        var again = FixtureChurn.Plan(Seed, 10, round: 3, liveCount: 2_000);
        Assert.Equal(plan.Modified, again.Modified);
        Assert.Equal(plan.Deleted, again.Deleted);
        Assert.NotEqual(plan.Modified, FixtureChurn.Plan(Seed, 10, round: 4, liveCount: 2_000).Modified);

        var all = FixtureChurn.Plan(Seed, 100, round: 0, liveCount: 50);
        Assert.Equal(50, all.Modified.Count + all.Deleted.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => FixtureChurn.Plan(Seed, 101, 0, 10));
    }

    private static IEnumerable<DateTime> Timestamps(V1Pod pod)
    {
        yield return pod.Metadata.CreationTimestamp!.Value;
        yield return pod.Status.StartTime!.Value;
        foreach (var f in pod.Metadata.ManagedFields)
            yield return f.Time!.Value;
        foreach (var c in pod.Status.Conditions)
            yield return c.LastTransitionTime!.Value;
        foreach (var s in pod.Status.ContainerStatuses)
        {
            if (s.State.Running is { } running)
                yield return running.StartedAt!.Value;
        }
    }

    [GeneratedRegex("^[a-z0-9-]+-[0-9a-f]{8}-[bcdfghjklmnpqrstvwxz2456789]{5}$")]
    private static partial Regex NameShape();

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidShape();
}
