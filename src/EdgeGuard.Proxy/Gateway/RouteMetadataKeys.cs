namespace EdgeGuard.Proxy.Gateway;

/// <summary>
/// YARP route metadata that switches EdgeGuard on per route (<c>ReverseProxy:Routes:*:Metadata</c>).
/// Routes without them are forwarded untouched.
/// </summary>
public static class RouteMetadataKeys
{
    /// <summary>GET/HEAD routes: names the route value holding the product id; enables the whole read flow.</summary>
    public const string ProductId = "EdgeGuard.ProductId";

    /// <summary>Write routes: names the route value holding the id of the product written.</summary>
    public const string WriteProductId = "EdgeGuard.WriteProductId";

    /// <summary>Write routes without the id in the path (POST): names the JSON body property holding it.</summary>
    public const string WriteProductIdJsonProperty = "EdgeGuard.WriteProductIdJsonProperty";

    /// <summary>Any route: the methods it forwards (comma-separated); any other method is answered 405 with <c>Allow</c>.</summary>
    public const string AllowedMethods = "EdgeGuard.AllowedMethods";

    /// <summary>Any route: <c>true</c> answers 404 without forwarding (a catalog path that must not be public,
    /// such as the full id list).</summary>
    public const string Deny = "EdgeGuard.Deny";

    /// <summary>Any route: <c>shared</c> caches it as an HTTP shared cache (RFC 9111), with no filter (see <c>SharedCache</c>).</summary>
    public const string Cache = "EdgeGuard.Cache";

    /// <summary>The one value of <see cref="Cache"/>.</summary>
    public const string SharedCache = "shared";
}
