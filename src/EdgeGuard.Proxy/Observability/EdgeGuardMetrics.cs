using System.Diagnostics.Metrics;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// The gateway's instruments, on the <c>EdgeGuard</c> <see cref="Meter"/> (so dotnet-counters and OpenTelemetry see
/// them). The meter comes from the host's <see cref="IMeterFactory"/>: each gateway's meter is its own, and only its
/// own host's exporter listens to it, so several gateways in one process (the tests) do not share counts. The
/// names are OpenTelemetry's; the Prometheus exporter turns them into the contract's (<c>edgeguard.bloom.rejects</c>
/// → <c>edgeguard_bloom_rejects_total</c>, unit <c>s</c> → <c>_seconds</c>). Observable gauges are in
/// each feature's <see cref="IGauges"/>.
/// </summary>
public sealed class EdgeGuardMetrics
{
    public const string MeterName = "EdgeGuard";

    /// <summary>The histogram's label: what answered (<see cref="AnswerSource"/>).</summary>
    public const string SourceTag = "source";

    /// <summary>The catalog-failure counter's label: <see cref="FailureReasons"/>.</summary>
    public const string ReasonTag = "reason";

    // 50 µs doubling to 1.6 s: the contract's dashboards read these buckets.
    private static readonly IReadOnlyList<double> DurationBuckets = [.. Enumerable.Range(0, 16).Select(i => 0.00005 * Math.Pow(2, i))];

    private readonly Histogram<double> _duration;

    public EdgeGuardMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        BloomRejects = Meter.CreateCounter<long>("edgeguard.bloom.rejects", "{request}", "Product requests answered 404 by the Bloom filter.");
        CacheHits = Meter.CreateCounter<long>("edgeguard.cache.hits", "{request}", "Product requests answered from a positive cache entry.");
        CacheNegativeHits = Meter.CreateCounter<long>("edgeguard.cache.negative_hits", "{request}", "Product requests answered 404 from a negative cache entry.");
        UpstreamRequests = Meter.CreateCounter<long>("edgeguard.upstream.requests", "{request}", "Requests the gateway sent to the catalog for product reads (shared fetches and forwarded reads).");
        InvalidRequests = Meter.CreateCounter<long>("edgeguard.invalid_requests", "{request}", "Requests refused before any lookup: an invalid id or body (400, 415), a denied path (404) or method (405).");
        StaleServed = Meter.CreateCounter<long>("edgeguard.stale_served", "{request}", "Product requests answered with a stale cached answer because the catalog failed.");
        BudgetRejects = Meter.CreateCounter<long>("edgeguard.budget.rejects", "{request}", "Product requests refused with 429 because the client's upstream budget was spent.");
        FilterFalsePositives = Meter.CreateCounter<long>("edgeguard.filter.false_positives", "{request}",
            "Product reads the ready filter let through whose catalog fetch answered 404: ids that do not exist and cost a catalog request.");
        UpstreamFailures = Meter.CreateCounter<long>("edgeguard.upstream.failures", "{request}",
            "Catalog requests that failed, each once: a fetch answered 5xx, the forwarder timed out, or the catalog was unreachable (label reason).");
        _duration = Meter.CreateHistogram("edgeguard.request.duration", "s", "Time to answer a product request, by what answered it (label source).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public Meter Meter { get; }

    public Counter<long> BloomRejects { get; }

    public Counter<long> CacheHits { get; }

    public Counter<long> CacheNegativeHits { get; }

    public Counter<long> UpstreamRequests { get; }

    public Counter<long> InvalidRequests { get; }

    public Counter<long> StaleServed { get; }

    /// <summary>Incremented by the per-client budget when it refuses a request (429).</summary>
    public Counter<long> BudgetRejects { get; }

    /// <summary>The numerator of the observed false-positive share (see the dashboard's <c>FalsePositiveShare</c>).</summary>
    public Counter<long> FilterFalsePositives { get; }

    public Counter<long> UpstreamFailures { get; }

    public void ObserveDuration(string source, TimeSpan elapsed) =>
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(SourceTag, source));

    public void UpstreamFailed(string reason) => UpstreamFailures.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason));

    /// <summary>
    /// Records a zero on every counter (and every failure reason) so that each series exists from the start, as
    /// prometheus-net's did: an alert's <c>rate()</c> then reads 0, not "no data". Measurements made before the
    /// host has started reach no exporter, so this runs once it has (<see cref="MetricsPublication"/>).
    /// </summary>
    public void PublishZeros()
    {
        foreach (var counter in (Counter<long>[])[BloomRejects, CacheHits, CacheNegativeHits, UpstreamRequests, InvalidRequests, StaleServed, BudgetRejects, FilterFalsePositives])
        {
            counter.Add(0);
        }

        foreach (var reason in FailureReasons.All)
        {
            UpstreamFailures.Add(0, new KeyValuePair<string, object?>(ReasonTag, reason));
        }
    }
}

/// <summary>The values of <c>edgeguard_upstream_failures_total</c>'s <c>reason</c> label.</summary>
public static class FailureReasons
{
    /// <summary>The catalog answered a fetch with a 5xx.</summary>
    public const string ServerError = "5xx";

    /// <summary>The catalog did not answer within the forwarder's timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>No connection, a broken one, or no destination available.</summary>
    public const string Unreachable = "unreachable";

    public static readonly IReadOnlyList<string> All = [ServerError, Timeout, Unreachable];
}
