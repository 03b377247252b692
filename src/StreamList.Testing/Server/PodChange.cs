using k8s.Models;
using StreamList.Watching;

namespace StreamList.Testing.Server;

/// <summary>
/// One committed change to a <see cref="PodPopulation"/>, in resourceVersion order: what a watch
/// would deliver. <see cref="Pod"/> carries <see cref="ResourceVersion"/> in its metadata; for a
/// deletion it is the pod's last state at the deletion's resourceVersion. Treat it as read-only.
/// </summary>
/// <param name="Type"><see cref="WatchEventKind.Added"/>, <see cref="WatchEventKind.Modified"/> or <see cref="WatchEventKind.Deleted"/>.</param>
/// <param name="Index">The pod's slot in the population (stable for its lifetime).</param>
/// <param name="Pod">The pod after the change (for a deletion: before it, with the new resourceVersion).</param>
/// <param name="ResourceVersion">The change's resourceVersion.</param>
public sealed record PodChange(WatchEventKind Type, int Index, V1Pod Pod, long ResourceVersion);

/// <summary>What one <see cref="PodPopulation.ApplyChurn"/> round did.</summary>
/// <param name="Modified">Pods modified.</param>
/// <param name="Deleted">Pods deleted.</param>
/// <param name="Created">Pods created (new slots, names and uids).</param>
/// <param name="ResourceVersion">The population's resourceVersion after the round.</param>
public sealed record ChurnResult(int Modified, int Deleted, int Created, long ResourceVersion);
