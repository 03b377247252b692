using Microsoft.Extensions.Logging;

namespace StreamList.Sharding;

/// <summary>Who a replica is in a <see cref="ShardGroup"/> and how its Lease is kept.</summary>
public sealed record ShardGroupOptions
{
    /// <summary>The group's name: the value of the <see cref="ShardGroup.GroupLabel"/> label on every member's Lease.</summary>
    public required string Group { get; init; }

    /// <summary>The namespace the group's Leases live in.</summary>
    public required string Namespace { get; init; }

    /// <summary>This replica's identity, unique in the group (a pod name); its Lease is named <c>{Group}-{Identity}</c>.</summary>
    public required string Identity { get; init; }

    /// <summary>How long a Lease holds without renewal; it is renewed every third of it. Default 15 s (client-go leader election's).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long <see cref="ShardGroup.StartAsync"/> waits after taking the Lease before reading the
    /// members a second time, so that replicas started together (a rollout) find each other before
    /// any of them lists with a shard that is too wide. Null: a renewal period (a third of
    /// <see cref="LeaseDuration"/>); zero: no wait (a replica joining a running group needs none).
    /// </summary>
    public TimeSpan? SettleTime { get; init; }

    /// <summary>The field the group shards by.</summary>
    public ShardField Field { get; init; } = ShardField.Uid;

    /// <summary>The clock for renewals and expiry.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where logs go.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
