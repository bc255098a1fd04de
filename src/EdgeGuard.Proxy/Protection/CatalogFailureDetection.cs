using Yarp.ReverseProxy.Health;

namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// A catalog that hangs is a fault like one that dies. Without this, every fetch during a hang waits out the
/// catalog's timeout: each expired answer costs its readers the soft timeout before it is served stale, and a
/// never-cached id waits the full timeout for its 504. YARP's passive health check (transport failure rate) on the
/// catalog cluster, switched on in <c>appsettings.json</c>, takes the catalog out of service once a share of the
/// requests in a short window failed (timeouts, connection failures); fetches then fail at once (stale answers at
/// once, 503 for ids with none) until the reactivation period has passed and requests are tried again. The cluster's
/// <c>AvailableDestinationsPolicy</c> is <c>HealthyAndUnknown</c>: YARP's default (<c>HealthyOrPanic</c>) would send
/// to every destination when none is healthy, a single catalog never out of service.
/// Its settings are YARP's own, under <c>EdgeGuard:CatalogFailureDetection</c>.
/// </summary>
public static class CatalogFailureDetection
{
    public const string SectionName = "EdgeGuard:CatalogFailureDetection";

    public static IReverseProxyBuilder AddCatalogFailureDetection(this IReverseProxyBuilder proxy)
    {
        proxy.Services.AddOptions<TransportFailureRateHealthPolicyOptions>()
            .BindConfiguration(SectionName)
            .Validate(o => o.DetectionWindowSize > TimeSpan.Zero, $"{SectionName}:DetectionWindowSize must be positive.")
            .Validate(o => o.MinimalTotalCountThreshold >= 1, $"{SectionName}:MinimalTotalCountThreshold must be at least 1.")
            .Validate(o => o.DefaultFailureRateLimit is > 0 and <= 1, $"{SectionName}:DefaultFailureRateLimit must be in (0, 1].")
            .ValidateOnStart();
        return proxy;
    }
}
