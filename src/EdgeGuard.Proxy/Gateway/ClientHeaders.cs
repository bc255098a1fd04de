using EdgeGuard.Proxy.Observability;
using Yarp.ReverseProxy.Transforms;

namespace EdgeGuard.Proxy.Gateway;

/// <summary>A client's own <c>X-EdgeGuard-*</c> headers are never trusted or forwarded.</summary>
public static class ClientHeaders
{
    public static ValueTask RemoveEdgeGuardHeaders(RequestTransformContext context)
    {
        // NonValidated: enumerated without materialising any value or allocating an enumerator, on every
        // forwarded request.
        List<string>? names = null;
        foreach (var header in context.ProxyRequest.Headers.NonValidated)
        {
            if (header.Key.StartsWith(AnswerSource.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                (names ??= []).Add(header.Key);
            }
        }

        if (names is null)
        {
            return default;
        }

        foreach (var name in names)
        {
            context.ProxyRequest.Headers.Remove(name);
        }

        return default;
    }
}
