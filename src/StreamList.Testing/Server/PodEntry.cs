using k8s.Models;

namespace StreamList.Testing.Server;

/// <summary>
/// A slot whose content differs from the lazy fixture: a stored pod with its protobuf message
/// length (measured once, when stored), or a deletion marker (<see cref="Pod"/> null).
/// </summary>
internal sealed record PodEntry(V1Pod? Pod, int MessageLength)
{
    public static PodEntry Deleted { get; } = new(null, 0);
}
