using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StreamList.Testing.Fixture;

/// <summary>
/// The fixed vocabularies pods are drawn from (apps, images, teams, nodes...). Changing any table
/// changes every pod of every seed: treat it as part of the fixture's specification.
/// </summary>
internal static class FixtureNames
{
    public const int NamespaceCount = 200;
    public const int NodeCount = 5000;

    /// <summary>Five lowercase characters of a pod name suffix (Kubernetes' safe alphabet).</summary>
    public const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public const string LowerAlphabet = "abcdefghijklmnopqrstuvwxyz";

    public static readonly string[] Apps =
    [
        "checkout", "cart", "catalog", "payments", "orders", "inventory", "shipping", "pricing",
        "search", "recommendations", "reviews", "accounts", "auth", "sessions", "notifications",
        "email-sender", "sms-gateway", "billing", "invoices", "ledger", "fraud-detector", "risk-scorer",
        "ad-server", "analytics-ingest", "event-router", "stream-processor", "feature-store", "ml-serving",
        "image-resizer", "thumbnailer", "media-transcoder", "cdn-purger", "api-gateway", "graphql",
        "web-frontend", "mobile-bff", "admin-portal", "reporting", "exporter", "scheduler-worker",
        "queue-worker", "cron-runner", "search-indexer", "geo-lookup", "currency", "tax-calculator",
        "loyalty", "coupons", "audit-log", "config-service",
    ];

    public static readonly string[] Images =
    [
        "registry.example.com/shop/checkout:2.14.1", "registry.example.com/shop/cart:1.9.0",
        "registry.example.com/shop/catalog:3.2.7", "registry.example.com/payments/payments-api:5.0.3",
        "registry.example.com/shop/orders:4.11.2", "registry.example.com/logistics/inventory:1.28.0",
        "registry.example.com/logistics/shipping:2.3.5", "registry.example.com/shop/pricing:0.17.4",
        "registry.example.com/discovery/search:7.4.0", "registry.example.com/discovery/recs:1.2.9",
        "registry.example.com/identity/accounts:3.3.3", "registry.example.com/identity/auth:6.1.0",
        "registry.example.com/comms/notifier:2.0.8", "registry.example.com/finance/billing:9.12.1",
        "registry.example.com/finance/ledger:1.0.44", "registry.example.com/risk/fraud-detector:2.7.0",
        "registry.example.com/ads/ad-server:12.1.3", "registry.example.com/data/ingest:0.9.12",
        "registry.example.com/data/stream-processor:3.5.1", "registry.example.com/ml/serving:1.15.0",
        "registry.example.com/media/transcoder:4.4.4", "registry.example.com/edge/api-gateway:2.21.0",
        "registry.example.com/web/frontend:2026.3.14", "registry.example.com/web/admin:1.6.2",
        "registry.example.com/platform/worker:8.0.1", "registry.example.com/platform/cron-runner:1.1.0",
        "docker.io/library/nginx:1.27.3-alpine", "docker.io/library/redis:7.4.2-alpine",
        "docker.io/envoyproxy/envoy:v1.33.0", "cr.fluentbit.io/fluent/fluent-bit:3.2.4",
        "quay.io/prometheus/statsd-exporter:v0.28.0", "otel/opentelemetry-collector-contrib:0.118.0",
        "docker.io/istio/proxyv2:1.24.2", "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.3",
        "registry.k8s.io/pause:3.10", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4",
        "ghcr.io/oauth2-proxy/oauth2-proxy:v7.8.1", "docker.io/hashicorp/vault:1.18.3",
        "quay.io/jetstack/cert-manager-ctl:v1.16.2", "docker.io/grafana/promtail:3.3.2",
    ];

    /// <summary>Second containers: (name, image index, port).</summary>
    public static readonly (string Name, int Image, int Port)[] Sidecars =
    [
        ("envoy", 28, 15001), ("log-shipper", 29, 2020), ("metrics-exporter", 30, 9102), ("otel-agent", 31, 4317),
        ("istio-proxy", 32, 15090), ("cloud-sql-proxy", 33, 9801), ("oauth2-proxy", 36, 4180), ("promtail", 39, 3101),
    ];

    public static readonly string[] Teams =
        ["storefront", "payments", "logistics", "discovery", "identity", "comms", "finance", "risk", "ads", "data", "ml", "media", "edge", "platform"];

    public static readonly string[] Tiers = ["frontend", "backend", "worker", "cache", "batch"];

    public static readonly string[] Zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

    public static readonly string[] LogLevels = ["info", "info", "info", "warn", "debug"];

    public static readonly string[] CpuRequests = ["50m", "100m", "200m", "250m", "500m"];
    public static readonly string[] CpuLimits = ["500m", "1", "1500m", "2"];
    public static readonly string[] MemoryRequests = ["64Mi", "128Mi", "256Mi", "512Mi"];
    public static readonly string[] MemoryLimits = ["512Mi", "1Gi", "2Gi"];

    /// <summary>sha256 digest for each image (stable per image, as a registry's would be).</summary>
    public static readonly string[] ImageDigests = Images.Select(i => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(i)))).ToArray();

    /// <summary>The image reference kubelet reports: repository@sha256:digest.</summary>
    public static readonly string[] ImageIds = Images.Select((image, k) => $"{Repository(image)}@sha256:{ImageDigests[k]}").ToArray();

    public static readonly string[] Namespaces =
        Enumerable.Range(0, NamespaceCount).Select(i => "ns-" + i.ToString("000", CultureInfo.InvariantCulture)).ToArray();

    public static readonly string[] NodeIps = Enumerable.Range(0, NodeCount)
        .Select(k => string.Create(CultureInfo.InvariantCulture, $"10.{16 + k / 256}.{k % 256}.{10 + k % 7}")).ToArray();

    public static readonly string[] NodeNames = NodeIps
        .Select(ip => "ip-" + ip.Replace('.', '-') + ".eu-west-1.compute.internal").ToArray();

    private static string Repository(string image)
    {
        int colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }
}
