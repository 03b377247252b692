using System.CommandLine;
using k8s;

namespace StreamList.Cli.Commands;

/// <summary>
/// The options that say which cluster a command talks to, and the KubernetesClient client made from them:
/// <c>--server URL</c> (no credentials, e.g. the fake API server) or <c>--kubeconfig PATH</c> (a real
/// cluster, its current context). One instance per command declaration.
/// </summary>
internal sealed class ClusterConnection
{
    private readonly Option<string?> _server = CliOptions.Text("--server", "URL", "the API server's URL, without credentials (e.g. streamlist serve)");
    private readonly Option<string?> _kubeconfig = CliOptions.Text("--kubeconfig", "PATH", "a kubeconfig file: its current context's cluster and credentials");

    public void AddTo(Command command)
    {
        command.Add(_server);
        command.Add(_kubeconfig);
    }

    public Kubernetes Create(ParseResult parsed)
    {
        string? server = parsed.GetValue(_server);
        string? kubeconfig = parsed.GetValue(_kubeconfig);
        if ((server is null) == (kubeconfig is null))
            throw new UsageException("give exactly one of --server URL and --kubeconfig PATH");
        if (server is not null)
        {
            if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new UsageException($"--server must be an http(s) URL, not '{server}'");
            return new Kubernetes(new KubernetesClientConfiguration { Host = uri.ToString() });
        }
        if (!File.Exists(kubeconfig))
            throw new CliException($"{kubeconfig}: no such file");
        try
        {
            return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FormatException or YamlDotNet.Core.YamlException)
        {
            throw new CliException($"{kubeconfig}: {e.Message}");
        }
    }
}
