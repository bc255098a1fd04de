using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Gateway;
using Yarp.ReverseProxy.Configuration;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>A route's <c>EdgeGuard.Cache</c> metadata is <c>shared</c> or absent; any other value stops start-up naming the route.</summary>
public sealed class CacheRouteConfigFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => ValueTask.FromResult(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        if (route.Metadata?.GetValueOrDefault(RouteMetadataKeys.Cache) is { } mode && !mode.Equals(RouteMetadataKeys.SharedCache, StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationErrorException(
                $"ReverseProxy:Routes:{route.RouteId}:Metadata:{RouteMetadataKeys.Cache} is '{mode}'; the only value is '{RouteMetadataKeys.SharedCache}'.");
        }

        if (route.Metadata?.ContainsKey(RouteMetadataKeys.Cache) == true && route.Metadata.ContainsKey(RouteMetadataKeys.ProductId))
        {
            throw new ConfigurationErrorException(
                $"ReverseProxy:Routes:{route.RouteId}:Metadata: {RouteMetadataKeys.Cache} and {RouteMetadataKeys.ProductId} exclude each other (a product route has its own cache rules).");
        }

        return ValueTask.FromResult(route);
    }
}
