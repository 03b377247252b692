using System.Text;
using System.Text.Json;

namespace StreamList.Testing.Fixture;

/// <summary>
/// The fieldsV1 JSON of the fixture's three managedFields entries, in the apiserver's compact
/// form (keys sorted, quotes inside keys escaped as <c>\"</c>), 800–1,200 bytes together. Each
/// result is a self-contained <see cref="JsonElement"/> whose raw text is exactly what the
/// protobuf encoding carries and what KubernetesClient writes back as JSON.
/// </summary>
internal static class ManagedFieldsJson
{
    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>What kube-controller-manager owns: generateName, labels, owner, the spec it created.</summary>
    public static JsonElement ControllerManager(string ownerUid, string container, string sidecar, bool finalizer)
    {
        var b = Builder();
        b.Append("{\"f:metadata\":{");
        if (finalizer)
            b.Append("\"f:finalizers\":{\".\":{},\"v:\\\"example.com/drain-protection\\\"\":{}},");
        b.Append("\"f:generateName\":{},\"f:labels\":{\".\":{},\"f:app\":{},\"f:pod-template-hash\":{},\"f:team\":{},\"f:tier\":{},\"f:version\":{},\"f:zone\":{}},");
        b.Append("\"f:ownerReferences\":{\".\":{},\"k:{\\\"uid\\\":\\\"").Append(ownerUid).Append("\\\"}\":{}}},");
        b.Append("\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"").Append(container);
        b.Append("\\\"}\":{\".\":{},\"f:env\":{},\"f:image\":{},\"f:name\":{},\"f:ports\":{},\"f:resources\":{}},");
        b.Append("\"k:{\\\"name\\\":\\\"").Append(sidecar).Append("\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{}}},");
        b.Append("\"f:tolerations\":{},\"f:volumes\":{}}}");
        return Parse(b);
    }

    /// <summary>What kubelet owns through the status subresource.</summary>
    public static JsonElement Kubelet(string podIp)
    {
        var b = Builder();
        b.Append("{\"f:status\":{\"f:conditions\":{\"k:{\\\"type\\\":\\\"ContainersReady\\\"}\":{\".\":{},\"f:status\":{}},");
        b.Append("\"k:{\\\"type\\\":\\\"Ready\\\"}\":{\".\":{},\"f:lastProbeTime\":{},\"f:lastTransitionTime\":{},\"f:status\":{},\"f:type\":{}}},");
        b.Append("\"f:containerStatuses\":{},\"f:hostIP\":{},\"f:phase\":{},\"f:podIP\":{},");
        b.Append("\"f:podIPs\":{\".\":{},\"k:{\\\"ip\\\":\\\"").Append(podIp).Append("\\\"}\":{\".\":{},\"f:ip\":{}}},\"f:startTime\":{}}}");
        return Parse(b);
    }

    private static readonly JsonElement s_apply = JsonElement.Parse(
        "{\"f:metadata\":{\"f:annotations\":{\"f:checksum/config\":{},\"f:ci.example.com/build-info\":{},\"f:kubectl.kubernetes.io/restartedAt\":{}}}}");

    /// <summary>What the deploy tool owns by server-side apply: the annotations (one shared, immutable element).</summary>
    public static JsonElement Apply() => s_apply;

    private static StringBuilder Builder()
    {
        var b = t_builder ??= new StringBuilder(1024);
        b.Clear();
        return b;
    }

    private static JsonElement Parse(StringBuilder b) => JsonElement.Parse(b.ToString());
}
