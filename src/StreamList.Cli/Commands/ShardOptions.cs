using System.CommandLine;
using StreamList.Sharding;

namespace StreamList.Cli.Commands;

/// <summary>
/// The options that shard a sync (KEP-5866): <c>--shard-selector EXPR</c>, a fixed shard, or
/// <c>--shard-group NAME</c> with <c>--shard-namespace</c>, <c>--identity</c> and <c>--lease-seconds</c>,
/// a shard that follows the group's live members through Leases. Bad text is a usage error before
/// any request. One instance per command declaration.
/// </summary>
internal sealed class ShardOptions
{
    private readonly Option<string?> _selector = CliOptions.Text("--shard-selector", "EXPR",
        "only this shard, e.g. \"shardRange(object.metadata.uid, '0x0', '0x8000000000000000')\"");
    private readonly Option<string?> _group = CliOptions.Text("--shard-group", "NAME", "share the resource among the live members of this group (a Lease each)");
    private readonly Option<string?> _namespace = CliOptions.Text("--shard-namespace", "NS", "with --shard-group: the namespace of the group's Leases (default: default)");
    private readonly Option<string?> _identity = CliOptions.Text("--identity", "ID", "with --shard-group: this member's identity (default: host name and process id)");
    private readonly Option<double?> _leaseSeconds = CliOptions.OptionalDouble("--lease-seconds", "S", "with --shard-group: how long a Lease holds unrenewed (default 15)", min: 1);

    public void AddTo(Command command)
    {
        command.Add(_selector);
        command.Add(_group);
        command.Add(_namespace);
        command.Add(_identity);
        command.Add(_leaseSeconds);
    }

    /// <summary>The fixed shard, or null.</summary>
    public ShardSelector? Selector(ParseResult parsed)
    {
        if (parsed.GetValue(_selector) is not { } text)
            return null;
        if (parsed.GetValue(_group) is not null)
            throw new UsageException("give at most one of --shard-selector and --shard-group");
        return ShardSelector.TryParse(text, out var selector, out string error) ? selector : throw new UsageException($"--shard-selector: {error}");
    }

    /// <summary>The group to join, or null.</summary>
    public ShardGroupOptions? Group(ParseResult parsed)
    {
        string? group = parsed.GetValue(_group);
        if (group is null)
        {
            foreach (var option in new Option[] { _namespace, _identity, _leaseSeconds })
            {
                if (parsed.GetResult(option) is { Implicit: false })
                    throw new UsageException($"{option.Name} needs --shard-group");
            }
            return null;
        }
        if (group.Length == 0)
            throw new UsageException("--shard-group must not be empty");
        return new ShardGroupOptions
        {
            Group = group,
            Namespace = parsed.GetValue(_namespace) ?? "default",
            Identity = parsed.GetValue(_identity) ?? $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}",
            LeaseDuration = TimeSpan.FromSeconds(parsed.GetValue(_leaseSeconds) ?? 15),
        };
    }
}
