using k8s.Models;

namespace StreamList.Tests.Support;

/// <summary>Small, varied objects for tests that try every split point of a body.</summary>
public static class SmallObjects
{
    public static V1Pod Pod(int i) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"pod-{i}",
            NamespaceProperty = $"ns-{i % 3}",
            Uid = $"uid-{i}",
            ResourceVersion = (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Labels = new Dictionary<string, string> { ["app"] = "web", ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        },
        Spec = new V1PodSpec
        {
            NodeName = $"node-{i % 2}",
            Containers = [new V1Container { Name = "c", Image = "nginx:1.27", Ports = [new V1ContainerPort { ContainerPort = 80 + i }] }],
        },
        Status = new V1PodStatus { Phase = "Running", PodIP = $"10.0.0.{i}" },
    };

    public static V1PodList PodList(int n, string resourceVersion = "5000", string? continueToken = null) => new()
    {
        Metadata = new V1ListMeta { ResourceVersion = resourceVersion, ContinueProperty = continueToken },
        Items = Enumerable.Range(0, n).Select(Pod).ToList(),
    };
}
