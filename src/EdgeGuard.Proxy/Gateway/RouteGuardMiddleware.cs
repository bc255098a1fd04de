using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Gateway;

/// <summary>
/// First in the proxy pipeline: route metadata that refuses a request outright, before any other work.
/// <see cref="RouteMetadataKeys.Deny"/> answers 404 (the catalog's full id list is not public);
/// <see cref="RouteMetadataKeys.AllowedMethods"/> answers 405 with <c>Allow</c> for any other method, so
/// methods a proxy cannot forward (CONNECT, TRACE) or the catalog does not expect never become a 5xx.
/// </summary>
public sealed class RouteGuardMiddleware(RequestDelegate next, EdgeGuardMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetReverseProxyFeature().Route.Config.Metadata;
        if (metadata is null || metadata.Count == 0)
        {
            return next(context);
        }

        if (metadata.TryGetValue(RouteMetadataKeys.Deny, out var deny) && bool.TryParse(deny, out var denied) && denied)
        {
            metrics.InvalidRequests.Add(1);
            return GatewayResponses.WriteProblemAsync(context, StatusCodes.Status404NotFound, "Not found",
                "This catalog path is not served through the gateway.");
        }

        if (metadata.TryGetValue(RouteMetadataKeys.AllowedMethods, out var allowed) && !IsAllowed(context.Request.Method, allowed))
        {
            metrics.InvalidRequests.Add(1);
            context.Response.Headers.Allow = allowed;
            return GatewayResponses.WriteProblemAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed",
                $"{context.Request.Method} is not served here; allowed: {allowed}.");
        }

        return next(context);
    }

    private static bool IsAllowed(string method, string allowed)
    {
        foreach (var range in allowed.AsSpan().Split(','))
        {
            if (allowed.AsSpan(range).Trim().Equals(method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
