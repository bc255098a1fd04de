using EdgeGuard.Proxy.Filtering;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeGuard.Proxy.Observability;

/// <summary>Readiness: unhealthy (503) until the Bloom filter has loaded.</summary>
public sealed class FilterReadyHealthCheck(ProductFilter filter) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(filter.IsReady
            ? HealthCheckResult.Healthy($"Bloom filter loaded with {filter.Items} ids.")
            : HealthCheckResult.Unhealthy("Bloom filter is loading; requests are forwarded unfiltered."));
}
