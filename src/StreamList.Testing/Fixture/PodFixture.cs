using System.Globalization;
using k8s.Models;
using static StreamList.Testing.Fixture.FixtureNames;
using StreamList.Codec;

namespace StreamList.Testing.Fixture;

/// <summary>
/// The deterministic, realistic pod population every tool, test and benchmark of the project
/// shares (docs/fixture.md): pod <c>i</c> of seed <c>S</c> depends only on <c>(S, i)</c>, so any
/// pod can be made alone, lazily, on any thread, and two runs with the same seed see the same
/// bytes. About 4.7 KB of protobuf (4.4–5.4 KB) and 8.4 KB of JSON per pod; about 8 µs to make one.
/// </summary>
/// <remarks>
/// Pods are returned fully populated the way the apiserver stores them (defaults applied), so
/// that a protobuf or JSON round trip gives back an equal object. Each call returns a new object
/// graph that the caller may change; <see cref="V1ManagedFieldsEntry.FieldsV1"/> elements are
/// immutable <see cref="System.Text.Json.JsonElement"/> values that may be shared between pods.
/// </remarks>
public static class PodFixture
{
    /// <summary>The resourceVersion of pod 0 on the first list; pod <c>i</c> has <c>FirstResourceVersion + i</c>.</summary>
    public const long FirstResourceVersion = 1_000_000;

    /// <summary>Timestamps are whole seconds in 2026, from this instant on.</summary>
    public static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // Modifications happen in November and December 2026, after every creation (January to October).
    private static readonly DateTime s_modifiedFrom = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private const int CreationWindowSeconds = 300 * 86400;
    private const int ModificationWindowSeconds = 60 * 86400;

    private const string BuildInfoAnnotation = "ci.example.com/build-info";
    private const string ChecksumAnnotation = "checksum/config";
    private const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    /// <summary>The annotation a modification may change: the revision that made the change.</summary>
    public const string RevisionAnnotation = "fixture.streamlist.dev/revision";

    private static readonly int[] s_ports = [8080, 8443, 9000, 3000, 5000, 8081];

    /// <summary>Makes pod <paramref name="index"/> of <paramref name="seed"/> as the first list returns it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static V1Pod Create(int seed, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rng = new FixtureRandom(seed, index);

        var (app, suffix, uid) = Identity(ref rng);
        string hash = index.ToString("x8", CultureInfo.InvariantCulture);
        string owner = app + "-" + hash;
        string name = owner + "-" + suffix;
        string ns = NamespaceOf(index);
        string ownerUid = rng.Uuid();
        string team = rng.Pick(Teams);
        string tier = rng.Pick(Tiers);
        int node = rng.Next(NodeCount);
        string version = string.Create(CultureInfo.InvariantCulture, $"v{rng.Next(1, 6)}.{rng.Next(30)}.{rng.Next(12)}");
        DateTime created = Epoch.AddSeconds(rng.Next(CreationWindowSeconds));
        DateTime started = created.AddSeconds(rng.Next(1, 4));
        DateTime running = started.AddSeconds(rng.Next(2, 6));
        DateTime ready = running.AddSeconds(rng.Next(3, 40));
        bool pending = rng.OneIn(100);
        bool finalizer = rng.OneIn(50);
        bool init = rng.OneIn(5);
        int image = rng.Next(26);
        var sidecar = rng.Pick(Sidecars);
        int port = rng.Pick(s_ports);
        bool metricsPort = rng.OneIn(2);
        string podIp = string.Create(CultureInfo.InvariantCulture, $"10.{128 + rng.Next(64)}.{rng.Next(256)}.{rng.Next(1, 255)}");
        string podIpV6 = string.Create(CultureInfo.InvariantCulture, $"fd00:10:{node:x}::{rng.Next(1, 65535):x}");
        string apiAccess = "kube-api-access-" + rng.Chars(5, SuffixAlphabet);
        int restarts = rng.OneIn(8) ? rng.Next(1, 5) : 0;
        int priority = rng.OneIn(4) ? 1000 : 0;

        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                GenerateName = owner + "-",
                NamespaceProperty = ns,
                Uid = uid,
                ResourceVersion = (FirstResourceVersion + index).ToString(CultureInfo.InvariantCulture),
                CreationTimestamp = created,
                Labels = new Dictionary<string, string>(6)
                {
                    ["app"] = app,
                    ["pod-template-hash"] = hash,
                    ["team"] = team,
                    ["tier"] = tier,
                    ["version"] = version,
                    ["zone"] = Zones[node % Zones.Length],
                },
                Annotations = new Dictionary<string, string>(4)
                {
                    [ChecksumAnnotation] = rng.Hex(32),
                    [BuildInfoAnnotation] = BuildInfo(ref rng, team, app, version, created),
                    [RestartedAtAnnotation] = Format(NotBefore2026(created.AddSeconds(-rng.Next(3600)))),
                },
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "apps/v1",
                        Kind = "ReplicaSet",
                        Name = owner,
                        Uid = ownerUid,
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
                Finalizers = finalizer ? ["example.com/drain-protection"] : null,
                ManagedFields =
                [
                    new V1ManagedFieldsEntry
                    {
                        Manager = "kube-controller-manager",
                        Operation = "Update",
                        ApiVersion = "v1",
                        Time = created,
                        FieldsType = "FieldsV1",
                        FieldsV1 = ManagedFieldsJson.ControllerManager(ownerUid, app, sidecar.Name, finalizer),
                    },
                    new V1ManagedFieldsEntry
                    {
                        Manager = "kubelet",
                        Operation = "Update",
                        ApiVersion = "v1",
                        Time = pending ? started : ready,
                        FieldsType = "FieldsV1",
                        FieldsV1 = ManagedFieldsJson.Kubelet(podIp),
                        Subresource = "status",
                    },
                    new V1ManagedFieldsEntry
                    {
                        Manager = "deploy-controller",
                        Operation = "Apply",
                        ApiVersion = "v1",
                        Time = created,
                        FieldsType = "FieldsV1",
                        FieldsV1 = ManagedFieldsJson.Apply(),
                    },
                ],
            },
            Spec = new V1PodSpec
            {
                InitContainers = init ? [InitContainer(app, ref rng)] : null,
                Containers =
                [
                    MainContainer(app, team, image, port, metricsPort, apiAccess, ref rng),
                    SidecarContainer(app, sidecar, apiAccess, ref rng),
                ],
                Volumes =
                [
                    new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = app + "-config", DefaultMode = 420 } },
                    new V1Volume { Name = "secrets", Secret = new V1SecretVolumeSource { SecretName = app + "-secrets", DefaultMode = 420 } },
                    ApiAccessVolume(apiAccess),
                ],
                RestartPolicy = "Always",
                TerminationGracePeriodSeconds = 30,
                DnsPolicy = "ClusterFirst",
                ServiceAccountName = app,
                ServiceAccount = app,
                NodeName = NodeNames[node],
                SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, FsGroup = 2000 },
                SchedulerName = "default-scheduler",
                Tolerations =
                [
                    new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
                    new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
                ],
                Priority = priority,
                PriorityClassName = priority > 0 ? "business-critical" : null,
                EnableServiceLinks = true,
                PreemptionPolicy = "PreemptLowerPriority",
            },
        };
        pod.Status = Status(pod, pending, node, podIp, podIpV6, created, started, running, ready, restarts, ref rng);
        return pod;
    }

    /// <summary>The uid of pod <paramref name="index"/> of <paramref name="seed"/>, without making the pod (a sharding server hashes it).</summary>
    public static string UidOf(int seed, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rng = new FixtureRandom(seed, index);
        return Identity(ref rng).Uid;
    }

    // The first draws of every pod, shared by Create and UidOf so they cannot disagree.
    private static (string App, string NameSuffix, string Uid) Identity(ref FixtureRandom rng)
    {
        string app = rng.Pick(Apps);
        string suffix = rng.Chars(5, SuffixAlphabet);
        return (app, suffix, rng.Uuid());
    }

    /// <summary>The namespace of pod <paramref name="index"/> (any seed): <c>ns-{index % 200:000}</c>.</summary>
    public static string NamespaceOf(int index) => Namespaces[index % NamespaceCount];

    /// <summary>The time a modification at <paramref name="resourceVersion"/> carries: whole seconds, late 2026.</summary>
    public static DateTime ModificationTime(long resourceVersion) =>
        s_modifiedFrom.AddSeconds((resourceVersion % ModificationWindowSeconds + ModificationWindowSeconds) % ModificationWindowSeconds);

    /// <summary>
    /// A modified copy of <paramref name="pod"/> as an update at <paramref name="resourceVersion"/>
    /// leaves it: same uid and name, resourceVersion set, and, by the parity of the version, either
    /// every condition's lastProbeTime (a kubelet status update) or the
    /// <see cref="RevisionAnnotation"/> annotation (an apply) changed, with the matching
    /// managedFields entry's time moved to <see cref="ModificationTime"/>. The input is not changed.
    /// </summary>
    public static V1Pod Modify(V1Pod pod, long resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var copy = Copy(pod);
        var meta = copy.Metadata ??= new V1ObjectMeta();
        var time = ModificationTime(resourceVersion);
        meta.ResourceVersion = resourceVersion.ToString(CultureInfo.InvariantCulture);
        bool status = resourceVersion % 2 == 0;
        if (status)
        {
            foreach (var c in copy.Status?.Conditions ?? [])
                c.LastProbeTime = time;
        }
        else
        {
            // Keep keys in ordinal order, as a decoded map has them, so the copy round-trips unchanged.
            var annotations = new SortedDictionary<string, string>(meta.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [RevisionAnnotation] = meta.ResourceVersion,
            };
            meta.Annotations = new Dictionary<string, string>(annotations);
        }
        string manager = status ? "kubelet" : "deploy-controller";
        var entry = meta.ManagedFields?.FirstOrDefault(m => m.Manager == manager);
        if (entry is not null)
            entry.Time = time;
        return copy;
    }

    /// <summary>A deep copy of <paramref name="pod"/> (through its protobuf encoding).</summary>
    public static V1Pod Copy(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return KubernetesProtobuf.Decode<V1Pod>(KubernetesProtobuf.Encode(pod));
    }

    private static V1Container MainContainer(string app, string team, int image, int port, bool metricsPort, string apiAccess, ref FixtureRandom rng)
    {
        var ports = new List<V1ContainerPort>(2) { new() { Name = "http", ContainerPort = port, Protocol = "TCP" } };
        if (metricsPort)
            ports.Add(new V1ContainerPort { Name = "metrics", ContainerPort = 9090, Protocol = "TCP" });
        return new V1Container
        {
            Name = app,
            Image = Images[image],
            Ports = ports,
            Env =
            [
                new V1EnvVar { Name = "APP_NAME", Value = app },
                new V1EnvVar { Name = "TEAM", Value = team },
                new V1EnvVar { Name = "LOG_LEVEL", Value = rng.Pick(LogLevels) },
                new V1EnvVar { Name = "GOMAXPROCS", Value = rng.Next(1, 5).ToString(CultureInfo.InvariantCulture) },
                new V1EnvVar { Name = "OTEL_EXPORTER_OTLP_ENDPOINT", Value = "http://otel-collector.observability.svc.cluster.local:4317" },
                new V1EnvVar
                {
                    Name = "POD_NAME",
                    ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.name" } },
                },
            ],
            Resources = Resources(rng.Pick(CpuRequests), rng.Pick(MemoryRequests), rng.Pick(CpuLimits), rng.Pick(MemoryLimits)),
            VolumeMounts = Mounts(app, apiAccess),
            LivenessProbe = HttpProbe("/healthz", "http", initialDelay: 10, period: 10),
            ReadinessProbe = HttpProbe("/ready", port, initialDelay: 5, period: 5),
            TerminationMessagePath = "/dev/termination-log",
            TerminationMessagePolicy = "File",
            ImagePullPolicy = "IfNotPresent",
            SecurityContext = new V1SecurityContext
            {
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
                RunAsUser = 10001,
                RunAsNonRoot = true,
                ReadOnlyRootFilesystem = true,
                AllowPrivilegeEscalation = false,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
        };
    }

    private static V1Container SidecarContainer(string app, (string Name, int Image, int Port) sidecar, string apiAccess, ref FixtureRandom rng) => new()
    {
        Name = sidecar.Name,
        Image = Images[sidecar.Image],
        Ports = [new V1ContainerPort { Name = "sidecar", ContainerPort = sidecar.Port, Protocol = "TCP" }],
        Env =
        [
            new V1EnvVar { Name = "SERVICE_NAME", Value = app },
            new V1EnvVar { Name = "LOG_FORMAT", Value = "json" },
            new V1EnvVar { Name = "UPSTREAM", Value = "127.0.0.1:8080" },
            new V1EnvVar { Name = "SHUTDOWN_DELAY", Value = "5s" },
            new V1EnvVar { Name = "BUFFER_SIZE", Value = (rng.Next(1, 9) * 64).ToString(CultureInfo.InvariantCulture) + "k" },
            new V1EnvVar
            {
                Name = "POD_NAMESPACE",
                ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } },
            },
        ],
        Resources = Resources("50m", "64Mi", "200m", "128Mi"),
        VolumeMounts = Mounts(app, apiAccess),
        LivenessProbe = HttpProbe("/live", "sidecar", initialDelay: 5, period: 10),
        ReadinessProbe = HttpProbe("/ready", sidecar.Port, initialDelay: 2, period: 5),
        TerminationMessagePath = "/dev/termination-log",
        TerminationMessagePolicy = "File",
        ImagePullPolicy = "IfNotPresent",
        SecurityContext = new V1SecurityContext { RunAsNonRoot = true, AllowPrivilegeEscalation = false },
    };

    private static V1Container InitContainer(string app, ref FixtureRandom rng) => new()
    {
        Name = "init-config",
        Image = Images[26 + rng.Next(2)],
        Command = ["sh", "-c", "cp /template/* /etc/" + app + "/"],
        Resources = new V1ResourceRequirements(),
        VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/etc/" + app }],
        TerminationMessagePath = "/dev/termination-log",
        TerminationMessagePolicy = "File",
        ImagePullPolicy = "IfNotPresent",
    };

    private static V1ResourceRequirements Resources(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        Limits = new Dictionary<string, ResourceQuantity>(2) { ["cpu"] = new(cpuLimit), ["memory"] = new(memoryLimit) },
        Requests = new Dictionary<string, ResourceQuantity>(2) { ["cpu"] = new(cpuRequest), ["memory"] = new(memoryRequest) },
    };

    private static List<V1VolumeMount> Mounts(string app, string apiAccess) =>
    [
        new() { Name = "config", MountPath = "/etc/" + app, ReadOnlyProperty = true },
        new() { Name = "secrets", MountPath = "/var/run/secrets/" + app, ReadOnlyProperty = true },
        new() { Name = apiAccess, MountPath = "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnlyProperty = true },
    ];

    private static V1Probe HttpProbe(string path, IntOrString port, int initialDelay, int period) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = port, Scheme = "HTTP" },
        InitialDelaySeconds = initialDelay,
        TimeoutSeconds = 1,
        PeriodSeconds = period,
        SuccessThreshold = 1,
        FailureThreshold = 3,
    };

    private static V1Volume ApiAccessVolume(string name) => new()
    {
        Name = name,
        Projected = new V1ProjectedVolumeSource
        {
            Sources =
            [
                new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { ExpirationSeconds = 3607, Path = "token" } },
                new V1VolumeProjection
                {
                    ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] },
                },
                new V1VolumeProjection
                {
                    DownwardAPI = new V1DownwardAPIProjection
                    {
                        Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }],
                    },
                },
            ],
            DefaultMode = 420,
        },
    };

    private static V1PodStatus Status(V1Pod pod, bool pending, int node, string podIp, string podIpV6,
        DateTime created, DateTime started, DateTime running, DateTime ready, int restarts, ref FixtureRandom rng)
    {
        var containers = pod.Spec.Containers;
        string notReady = pending ? "False" : "True";
        string? unready = pending ? $"containers with unready status: [{containers[0].Name} {containers[1].Name}]" : null;
        var status = new V1PodStatus
        {
            Phase = pending ? "Pending" : "Running",
            Conditions =
            [
                Condition("PodReadyToStartContainers", notReady, running),
                Condition("Initialized", "True", started),
                Condition("Ready", notReady, pending ? started : ready, unready),
                Condition("ContainersReady", notReady, pending ? started : ready, unready),
                Condition("PodScheduled", "True", created),
            ],
            HostIP = NodeIps[node],
            HostIPs = [new V1HostIP { Ip = NodeIps[node] }],
            PodIP = podIp,
            PodIPs = [new V1PodIP { Ip = podIp }, new V1PodIP { Ip = podIpV6 }],
            StartTime = started,
            QosClass = "Burstable",
            ContainerStatuses = new List<V1ContainerStatus>(containers.Count),
        };
        for (int k = 0; k < containers.Count; k++)
        {
            var c = containers[k];
            status.ContainerStatuses.Add(new V1ContainerStatus
            {
                Name = c.Name,
                State = pending
                    ? new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } }
                    : new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = started } },
                LastState = new V1ContainerState(),
                Ready = !pending,
                RestartCount = k == 0 ? restarts : 0,
                Image = c.Image,
                ImageID = ImageIds[Array.IndexOf(Images, c.Image)],
                ContainerID = pending ? null : "containerd://" + rng.Hex(32),
                Started = !pending,
            });
        }
        if (pod.Spec.InitContainers is [var init])
        {
            status.InitContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = init.Name,
                    State = new V1ContainerState
                    {
                        Terminated = new V1ContainerStateTerminated
                        {
                            ExitCode = 0,
                            Reason = "Completed",
                            StartedAt = started.AddSeconds(1),
                            FinishedAt = started.AddSeconds(2),
                        },
                    },
                    LastState = new V1ContainerState(),
                    Ready = true,
                    RestartCount = 0,
                    Image = init.Image,
                    ImageID = ImageIds[Array.IndexOf(Images, init.Image)],
                    ContainerID = "containerd://" + rng.Hex(32),
                    Started = false,
                },
            ];
        }
        return status;
    }

    private static V1PodCondition Condition(string type, string status, DateTime at, string? unready = null) => new()
    {
        Type = type,
        Status = status,
        LastTransitionTime = at,
        Reason = unready is null ? null : "ContainersNotReady",
        Message = unready,
    };

    private static string BuildInfo(ref FixtureRandom rng, string team, string app, string version, DateTime created) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{{\"repository\":\"https://git.example.com/{team}/{app}.git\",\"commit\":\"{rng.Hex(20)}\",\"ref\":\"refs/tags/{version}\",\"pipeline\":\"https://ci.example.com/{team}/{app}/-/pipelines/{rng.Next(100000, 999999)}\",\"builtAt\":\"{Format(NotBefore2026(created.AddSeconds(-rng.Next(86400, 864000))))}\",\"builder\":\"buildkit v0.18.2\"}}");

    private static DateTime NotBefore2026(DateTime t) => t < Epoch ? Epoch : t;

    private static string Format(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
