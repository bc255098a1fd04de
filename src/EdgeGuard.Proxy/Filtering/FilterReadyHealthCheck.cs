using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Readiness: unhealthy (503) until the Bloom filter is loaded and trusted for the first time; after that, an
/// instance that lost trust (a cluster member cut off from Redis, or catching up after an outage) is Degraded
/// (still 200): it keeps serving, forwarding everything instead of rejecting.
/// </summary>
public sealed class FilterReadyHealthCheck(ProductFilter filter, Filtering.Snapshots.SnapshotState snapshot) : IHealthCheck
{
    private volatile bool _wasTrusted;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (filter.IsReady && filter.IsTrusted)
        {
            _wasTrusted = true;
            return Task.FromResult(HealthCheckResult.Healthy($"Bloom filter loaded with {filter.Items} ids (snapshot: {snapshot.Name})."));
        }

        return Task.FromResult(_wasTrusted
            ? HealthCheckResult.Degraded("Bloom filter not trusted now (cut off from the cluster, or catching up): requests are forwarded unfiltered.")
            : HealthCheckResult.Unhealthy($"Bloom filter is loading; requests are forwarded unfiltered (snapshot: {snapshot.Name}: {snapshot.Reason})."));
    }
}
