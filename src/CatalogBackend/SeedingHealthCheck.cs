using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CatalogBackend;

/// <summary>Healthy only once start-up seeding has finished; no database query.</summary>
internal sealed class SeedingHealthCheck(SeedingState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state switch
        {
            { IsComplete: true } => HealthCheckResult.Healthy(state.Result!.ToString()),
            { Failure: { } failure } => HealthCheckResult.Unhealthy("seeding failed", failure),
            _ => HealthCheckResult.Unhealthy("seeding in progress"),
        });
}
