using Yarp.ReverseProxy.Transforms;

namespace EdgeGuard.Proxy.Observability;

/// <summary>A client's own <c>X-EdgeGuard-*</c> headers are never trusted or forwarded.</summary>
public static class ClientHeaders
{
    public static ValueTask RemoveEdgeGuardHeaders(RequestTransformContext context)
    {
        // The client's headers are looked through, not the outgoing message's: enumerating HttpHeaders
        // materialises every value, on every forwarded request.
        foreach (var header in context.HttpContext.Request.Headers)
        {
            if (header.Key.StartsWith(Sources.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                context.ProxyRequest.Headers.Remove(header.Key);
            }
        }

        return default;
    }
}
