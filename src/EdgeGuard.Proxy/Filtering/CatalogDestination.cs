using EdgeGuard.Proxy.Configuration;
using Yarp.ReverseProxy;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Where the gateway itself talks to the catalog (the id stream, a write's outcome): the first destination
/// of the YARP cluster named by <c>EdgeGuard:Bloom:CatalogCluster</c>, so <c>UPSTREAM_URL</c> and the
/// <c>ReverseProxy</c> section stay the only places the catalog's address is set.
/// </summary>
public sealed class CatalogDestination(IOptions<EdgeGuardOptions> options, IProxyStateLookup proxyState)
{
    public const string HttpClientName = "edgeguard-catalog";

    /// <exception cref="InvalidOperationException">The cluster has no destination.</exception>
    public Uri Address
    {
        get
        {
            var clusterId = options.Value.Bloom.CatalogCluster;
            if (proxyState.TryGetCluster(clusterId, out var cluster))
            {
                foreach (var destination in cluster.Destinations.Values)
                {
                    return new Uri(destination.Model.Config.Address);
                }
            }

            throw new InvalidOperationException($"The YARP cluster '{clusterId}' (EdgeGuard:Bloom:CatalogCluster) has no destination.");
        }
    }
}
