using Prometheus;

namespace EdgeGuard.Benchmarks.Metrics;

/// <summary>
/// The gateway's metrics as they were before issue 12 (prometheus-net counters in a registry of the app's own,
/// no exemplars), kept here as the baseline of the exporter A/B.
/// </summary>
public sealed class PrometheusNetMetrics
{
    public PrometheusNetMetrics()
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry());
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        BloomRejects = factory.CreateCounter("edgeguard_bloom_rejects_total", "Product requests answered 404 by the Bloom filter.");
        CacheHits = factory.CreateCounter("edgeguard_cache_hits_total", "Product requests answered from a positive cache entry.");
        var duration = factory.CreateHistogram("edgeguard_request_duration_seconds", "Time to answer a product request, by what answered it.",
            new HistogramConfiguration { LabelNames = ["source"], Buckets = Histogram.ExponentialBuckets(0.00005, 2, 16) });
        _durations = new Dictionary<string, Histogram.Child>(StringComparer.Ordinal)
        {
            ["bloom"] = duration.WithLabels("bloom"),
            ["cache"] = duration.WithLabels("cache"),
        };
    }

    public Counter BloomRejects { get; }

    public Counter CacheHits { get; }

    private readonly Dictionary<string, Histogram.Child> _durations;

    public void ObserveDuration(string source, TimeSpan elapsed) => _durations[source].Observe(elapsed.TotalSeconds);
}
