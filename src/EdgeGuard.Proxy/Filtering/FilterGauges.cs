using System.Diagnostics.Metrics;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>The filter's gauges. The fill ratio counts the filter's bits, which is why it is read at collection and
/// not kept up to date.</summary>
public sealed class FilterGauges(ProductFilter filter, IOptions<EdgeGuardOptions> options) : IGauges
{
    public void Create(Meter meter)
    {
        var target = options.Value.Bloom.FalsePositiveRate;
        meter.CreateObservableGauge("edgeguard.filter.ready", () => filter.IsReady ? 1 : 0, null,
            "1 once the Bloom filter is loaded and rejecting; 0 while every id is forwarded.");
        meter.CreateObservableGauge("edgeguard.filter.items", () => filter.Items, "{id}",
            "Distinct ids the filter holds by construction (built from plus added since).");
        meter.CreateObservableGauge("edgeguard.filter.fill_ratio", () => filter.Current is { } current ? current.FillRatio : 0, null,
            "Share of the filter's bits that are set.");
        meter.CreateObservableGauge("edgeguard.filter.memory", () => filter.Current?.MemoryBytes ?? 0, "By",
            "Bytes of the filter's bit array in use (m / 8); a rebuild holds a second one while it runs.");
        meter.CreateObservableGauge("edgeguard.filter.estimated_false_positive_rate",
            () => filter.Current is { } current ? current.FalsePositiveRateAt(filter.Items) : 0, null,
            "The filter's predicted false-positive rate at its current items, by its layout's formula (standard: (1 - e^(-k*n/m))^k).");
        meter.CreateObservableGauge("edgeguard.filter.target_false_positive_rate", () => filter.Current?.FalsePositiveRate ?? target, null,
            "The false-positive rate the filter was sized for (EdgeGuard:Bloom:FalsePositiveRate).");
    }
}
