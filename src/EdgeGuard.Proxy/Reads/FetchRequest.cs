using System.Net;
using Microsoft.Extensions.Primitives;

namespace EdgeGuard.Proxy.Reads;

/// <summary>What a product fetch needs from the request that started it, copied so nothing refers to that request once
/// it has ended (a fetch may outlive it: finished in the background after a soft timeout, or an eager refresh).</summary>
/// <param name="Target">Where it goes.</param>
/// <param name="Client">The client's address (see <c>ClientAddresses</c>), whose budget a fill spends.</param>
public sealed record FetchRequest(
    FetchTarget Target,
    string Scheme,
    HostString Host,
    PathString Path,
    StringValues Accept,
    StringValues AcceptLanguage,
    IPAddress? Client)
{
    public static FetchRequest From(HttpContext context, RequestDelegate pipeline)
    {
        var request = context.Request;
        return new FetchRequest(FetchTarget.From(context, pipeline), request.Scheme, request.Host, request.Path,
            request.Headers.Accept, request.Headers.AcceptLanguage, context.Connection.RemoteIpAddress);
    }
}
