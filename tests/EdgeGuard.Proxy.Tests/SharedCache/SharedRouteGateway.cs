namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary>The settings that make the gateway's catch-all route (<c>catalog-other</c>) a shared cached route.</summary>
public static class SharedRouteGateway
{
    public const string CacheKey = "ReverseProxy:Routes:catalog-other:Metadata:EdgeGuard.Cache";

    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { [CacheKey] = "shared" };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
