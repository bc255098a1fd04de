using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.Reads;

/// <summary>Where a fetch goes: the route and cluster the client's request matched, the destinations available when it
/// came in (a snapshot), and the rest of YARP's proxy pipeline (load balancing, passive health checks, the forwarder).
/// All long-lived: a fetch may outlive the request that started it.</summary>
public readonly record struct FetchTarget(
    RequestDelegate Pipeline,
    RouteModel Route,
    ClusterModel Cluster,
    IReadOnlyList<DestinationState> AllDestinations,
    IReadOnlyList<DestinationState> Destinations)
{
    public string ClusterId => Cluster.Config.ClusterId;

    public static FetchTarget From(HttpContext context, RequestDelegate pipeline)
    {
        var proxy = context.GetReverseProxyFeature();
        return new FetchTarget(pipeline, proxy.Route, proxy.Cluster, proxy.AllDestinations, proxy.AvailableDestinations);
    }
}
