using Yarp.ReverseProxy.Configuration;

namespace EdgeGuard.Proxy.Configuration;

/// <summary>
/// <c>UPSTREAM_URL</c>: a short alias for the catalog cluster's destination. Done as a YARP config filter,
/// so the routes and clusters stay in <c>appsettings.json</c> and the override applies on every reload.
/// </summary>
public sealed class UpstreamUrlConfigFilter(IConfiguration configuration) : IProxyConfigFilter
{
    public const string ClusterId = "catalog";

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        var upstream = configuration["UPSTREAM_URL"];
        if (string.IsNullOrWhiteSpace(upstream) || !string.Equals(cluster.ClusterId, ClusterId, StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(cluster);
        }

        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ConfigurationErrorException($"UPSTREAM_URL '{upstream}' is not an absolute http:// or https:// URL.");
        }

        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase)
        {
            ["primary"] = new() { Address = uri.ToString() },
        };
        return ValueTask.FromResult(cluster with { Destinations = destinations });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
