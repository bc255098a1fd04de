using Prometheus;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// The contract's gateway metrics, in a registry of the app's own (exposed at <c>/metrics</c>), so that
/// several gateways in one process — the tests — do not share counters.
/// </summary>
public sealed class EdgeGuardMetrics
{
    public EdgeGuardMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        // No exemplars: the default reads the current trace context and formats its ids on every
        // observation, a cost on the Bloom-reject path for trace ids that no tracer exports here.
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        BloomRejects = factory.CreateCounter("edgeguard_bloom_rejects_total", "Product requests answered 404 by the Bloom filter.");
        CacheHits = factory.CreateCounter("edgeguard_cache_hits_total", "Product requests answered from a positive cache entry.");
        CacheNegativeHits = factory.CreateCounter("edgeguard_cache_negative_hits_total", "Product requests answered 404 from a negative cache entry.");
        UpstreamRequests = factory.CreateCounter("edgeguard_upstream_requests_total", "Product requests forwarded to the catalog.");
        StaleServed = factory.CreateCounter("edgeguard_stale_served_total", "Product requests answered with a stale cached answer because the catalog failed.");
        InvalidRequests = factory.CreateCounter("edgeguard_invalid_requests_total", "Product requests refused with 400 for an invalid id or body.");
        BudgetRejects = factory.CreateCounter("edgeguard_budget_rejects_total", "Product requests answered 429 because the client was over its budget of requests that reach the catalog.");
        var duration = factory.CreateHistogram("edgeguard_request_duration_seconds", "Time to answer a product request, by what answered it.",
            new HistogramConfiguration
            {
                LabelNames = ["source"],
                Buckets = Histogram.ExponentialBuckets(0.00005, 2, 16),
            });
        _durations = new Dictionary<string, Histogram.Child>(StringComparer.Ordinal)
        {
            [Sources.Bloom] = duration.WithLabels(Sources.Bloom),
            [Sources.Cache] = duration.WithLabels(Sources.Cache),
            [Sources.NegativeCache] = duration.WithLabels(Sources.NegativeCache),
            [Sources.Upstream] = duration.WithLabels(Sources.Upstream),
            [Sources.Stale] = duration.WithLabels(Sources.Stale),
            [Sources.Invalid] = duration.WithLabels(Sources.Invalid),
            [Sources.Budget] = duration.WithLabels(Sources.Budget),
        };
    }

    public CollectorRegistry Registry { get; }

    public Counter BloomRejects { get; }

    public Counter CacheHits { get; }

    public Counter CacheNegativeHits { get; }

    public Counter UpstreamRequests { get; }

    public Counter InvalidRequests { get; }

    public Counter StaleServed { get; }

    public Counter BudgetRejects { get; }

    private readonly Dictionary<string, Histogram.Child> _durations;

    public void ObserveDuration(string source, TimeSpan elapsed) => _durations[source].Observe(elapsed.TotalSeconds);
}
