using k8s.Models;

namespace StreamList.Testing.Fixture;

/// <summary>
/// The nodes the pod fixture's pods run on (<see cref="FixtureNames.NodeCount"/> of them): node
/// <c>i</c> has the name and internal IP the pods' <c>spec.nodeName</c> and <c>status.hostIP</c>
/// use, hostname and zone labels, and a Ready condition. Deterministic: depends on <c>i</c> only.
/// </summary>
public static class NodeFixture
{
    /// <summary>How many distinct nodes the pod fixture uses.</summary>
    public const int Count = FixtureNames.NodeCount;

    /// <summary>Makes node <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the fixture's nodes.</exception>
    public static V1Node Create(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        string name = FixtureNames.NodeNames[index];
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/hostname"] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["topology.kubernetes.io/zone"] = FixtureNames.Zones[index % FixtureNames.Zones.Length],
                },
            },
            Spec = new V1NodeSpec { ProviderID = "aws:///eu-west-1/i-" + index.ToString("x12", System.Globalization.CultureInfo.InvariantCulture) },
            Status = new V1NodeStatus
            {
                Addresses = [new V1NodeAddress { Type = "InternalIP", Address = FixtureNames.NodeIps[index] }, new V1NodeAddress { Type = "Hostname", Address = name }],
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady" }],
            },
        };
    }
}
