using EdgeGuard.Proxy.Caching;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeGuard.Proxy.Observability;

/// <summary>Readiness: a cache outage is Degraded (still 200): the gateway serves without it.</summary>
public sealed class CacheHealthCheck(IProductCacheStore cache) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await cache.CheckDegradationAsync(cancellationToken).ConfigureAwait(false) is { } reason
            ? HealthCheckResult.Degraded(reason)
            : HealthCheckResult.Healthy("Cache available.");
}
