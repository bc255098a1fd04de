using Yarp.ReverseProxy.Health;

namespace EdgeGuard.Proxy.CatalogHealth;

/// <summary>
/// How the gateway tells a catalog that fails from one that is back, with YARP's health checks on the catalog cluster
/// (switched on in <c>appsettings.json</c>):
/// <list type="bullet">
/// <item>passive (<see cref="CatalogFailureRatePolicy"/>): once a share of the requests in a short window failed
/// (timeouts, connection failures), the catalog is out of service: fetches fail at once (stale answers at once, 503
/// for ids with none) instead of each waiting out a timeout;</item>
/// <item>active (<see cref="CatalogProbePolicy"/>): the probe path (default the catalog's <c>/health</c>) every
/// second; failed probes take the catalog out even with no traffic, and a probe that shows it back ends the passive
/// check's reactivation period at once, so reads are served again within a probe interval or two.</item>
/// </list>
/// The cluster's <c>AvailableDestinationsPolicy</c> is <c>HealthyAndUnknown</c>: YARP's default (<c>HealthyOrPanic</c>)
/// would send to every destination when none is healthy, a single catalog never out of service. The passive window's
/// settings are under <c>EdgeGuard:CatalogFailureDetection</c>; the probe's are YARP's own, in the cluster's
/// <c>HealthCheck:Active</c> section.
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
        proxy.Services.AddSingleton<CatalogFailureRatePolicy>();
        proxy.Services.AddSingleton<IPassiveHealthCheckPolicy>(provider => provider.GetRequiredService<CatalogFailureRatePolicy>());
        proxy.Services.AddSingleton<IActiveHealthCheckPolicy, CatalogProbePolicy>();
        return proxy;
    }
}
