using System.Net;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.Reads;

/// <summary>What a fetch needs from the request that started it, copied so nothing refers to that request once
/// it has ended (a fetch may outlive it: finished in the background after a soft timeout, or an eager refresh).</summary>
/// <param name="Pipeline">The rest of YARP's proxy pipeline (load balancing, passive health checks, the forwarder).</param>
/// <param name="Route">The route model the request matched (long-lived).</param>
/// <param name="Cluster">The cluster model (long-lived).</param>
/// <param name="Destinations">The destinations available when the request came in (a snapshot).</param>
/// <param name="Client">The client's address (see <c>ClientAddresses</c>), whose budget a fill spends.</param>
public sealed record FetchRequest(
    RequestDelegate Pipeline,
    RouteModel Route,
    ClusterModel Cluster,
    IReadOnlyList<DestinationState> AllDestinations,
    IReadOnlyList<DestinationState> Destinations,
    string Scheme,
    HostString Host,
    PathString Path,
    StringValues Accept,
    StringValues AcceptLanguage,
    IPAddress? Client)
{
    public static FetchRequest From(HttpContext context, RequestDelegate pipeline)
    {
        var proxy = context.GetReverseProxyFeature();
        var request = context.Request;
        return new FetchRequest(pipeline, proxy.Route, proxy.Cluster, proxy.AllDestinations, proxy.AvailableDestinations,
            request.Scheme, request.Host, request.Path, request.Headers.Accept, request.Headers.AcceptLanguage,
            context.Connection.RemoteIpAddress);
    }
}
