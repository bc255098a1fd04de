using System.Diagnostics.Metrics;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Caching;

/// <summary>The cache's gauge: whether requests skip Redis.</summary>
public sealed class CacheGauges(ProductCache cache) : IGauges
{
    public void Create(Meter meter) =>
        meter.CreateObservableGauge("edgeguard.cache.circuit_open", () => cache.CircuitOpen ? 1 : 0, null,
            "1 while the Redis circuit is open (requests skip the shared cache); always 0 with the embedded cache.");
}
