using k8s;

namespace StreamList.Cli.Commands;

/// <summary>
/// Builds the KubernetesClient client a command talks through: <c>--server URL</c> (no credentials,
/// e.g. the fake API server) or <c>--kubeconfig PATH</c> (a real cluster, its current context).
/// </summary>
internal static class ClusterConnection
{
    public static readonly string[][] Options = [["--server"], ["--kubeconfig"]];

    public static Kubernetes Create(CommandLine line)
    {
        string? server = line.Value("--server");
        string? kubeconfig = line.Value("--kubeconfig");
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
