using System.CommandLine;

namespace StreamList.Cli.Commands;

/// <summary>
/// The options that say which objects a command reads: <c>--resource</c> (a plural name, resolved to its
/// model by <see cref="ResourceTypes"/>) and <c>--namespace</c>/<c>-n</c>. One instance per command declaration.
/// </summary>
internal sealed class ResourceSelection(string verb)
{
    private readonly Option<string> _resource = CliOptions.RequiredText("--resource", "RESOURCE", $"what to {verb}: a plural name such as pods, nodes, deployments.apps");
    private readonly Option<string?> _namespace = CliOptions.Text("--namespace", "NS", "one namespace (default: all)", "-n");

    public void AddTo(Command command)
    {
        command.Add(_resource);
        command.Add(_namespace);
    }

    public ResourceType Type(ParseResult parsed) => ResourceTypes.Find(parsed.GetRequiredValue(_resource));

    public string? Namespace(ParseResult parsed) => parsed.GetValue(_namespace);
}
