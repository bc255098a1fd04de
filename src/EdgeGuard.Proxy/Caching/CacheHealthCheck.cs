using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeGuard.Proxy.Caching;

/// <summary>Readiness: a Redis outage is Degraded (still 200): the gateway serves from memory and the catalog meanwhile.</summary>
public sealed class CacheHealthCheck(ProductCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cache.Degradation is { } reason
            ? HealthCheckResult.Degraded(reason)
            : HealthCheckResult.Healthy(cache.IsDistributed ? "Redis cache available." : "Embedded cache."));
}
