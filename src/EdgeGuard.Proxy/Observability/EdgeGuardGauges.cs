using System.Diagnostics.Metrics;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Cluster;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// The contract's gauges, observable: each reads the live object when an exporter collects (a scrape, the
/// dashboard's sample, an OTLP export), never on a request. The fill ratio counts the filter's bits (about 50 µs
/// at a million ids), which is why it is read at collection and not kept up to date. YARP's forwarder counts are here
/// too (<see cref="YarpForwarderCounters"/>).
/// </summary>
public sealed class EdgeGuardGauges
{
    public EdgeGuardGauges(EdgeGuardMetrics metrics, ProductFilter filter, ProductCache cache, ClusterStatus cluster,
        YarpForwarderCounters forwarder, IOptions<EdgeGuardOptions> options)
    {
        var meter = metrics.Meter;
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
        meter.CreateObservableGauge("edgeguard.cache.circuit_open", () => cache.CircuitOpen ? 1 : 0, null,
            "1 while the Redis circuit is open (requests skip the shared cache); always 0 with the embedded cache.");
        meter.CreateObservableGauge("edgeguard.filter.sync_lag", () => cluster.View.SyncLag.TotalSeconds, "s",
            "How far this instance was behind the cluster's filter log at its last heartbeat (0 standalone).");
        meter.CreateObservableGauge("edgeguard.cluster.instances", () => cluster.View.Instances, "{instance}",
            "Live instances in this instance's cluster (1 standalone).");

        // YARP's forwarder, as YARP names its counters (requests-started, current-requests, requests-failed).
        meter.CreateObservableCounter("yarp.proxy.requests_started", () => forwarder.Started, "{request}",
            "Requests YARP's forwarder started towards the catalog (this process; updated once a second).");
        meter.CreateObservableCounter("yarp.proxy.requests_failed", () => forwarder.Failed, "{request}",
            "Forwards that failed: no answer from the catalog, a timeout, a client that went away (this process).");
        meter.CreateObservableUpDownCounter("yarp.proxy.current_requests", () => forwarder.Current, "{request}",
            "Forwards in flight (this process).");
    }
}
