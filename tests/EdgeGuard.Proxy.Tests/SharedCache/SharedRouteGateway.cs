namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary>The setting that makes the gateway's catch-all route (<c>catalog-other</c>) a shared cached route.</summary>
public static class SharedRouteGateway
{
    public const string CacheKey = "ReverseProxy:Routes:catalog-other:Metadata:EdgeGuard.Cache";

    public static GatewayBuilder WithSharedCatchAllRoute(this GatewayBuilder gateway) => gateway.WithSetting(CacheKey, "shared");
}
