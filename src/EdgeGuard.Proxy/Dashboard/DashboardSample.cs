namespace EdgeGuard.Proxy.Dashboard;

/// <summary>
/// The cumulative counts and the gauges of one scrape, at one moment: what the dashboard's rates, shares and
/// percentiles are computed from (as differences between two samples, as Prometheus's <c>rate()</c> does).
/// </summary>
public sealed class DashboardSample
{
    private const string Duration = "edgeguard_request_duration_seconds";

    /// <summary>Seconds on a monotonic clock (for differences).</summary>
    public required double At { get; init; }

    /// <summary>Wall-clock time, Unix seconds (for the charts' x axis).</summary>
    public required double UnixTime { get; init; }

    /// <summary>Product requests answered, by source (the duration histogram's counts).</summary>
    public Dictionary<string, double> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>The duration histogram's cumulative bucket counts by source, aligned with <see cref="Bounds"/>.</summary>
    public Dictionary<string, double[]> Buckets { get; } = new(StringComparer.Ordinal);

    /// <summary>Upper bounds of the duration buckets, ascending, the last one +Inf.</summary>
    public double[] Bounds { get; private set; } = [];

    public double CatalogRequests { get; private set; }

    public double FalsePositives { get; private set; }

    public double BloomRejects { get; private set; }

    public double NegativeHits { get; private set; }

    public double CatalogFailures { get; private set; }

    /// <summary>FusionCache's distributed-level hits (answers found in Redis after a miss in memory).</summary>
    public double DistributedHits { get; private set; }

    public double Ready { get; private set; }

    public double Items { get; private set; }

    public double FillRatio { get; private set; }

    public double MemoryBytes { get; private set; }

    public double EstimatedFalsePositiveRate { get; private set; }

    public double TargetFalsePositiveRate { get; private set; }

    public double CircuitOpen { get; private set; }

    public double SyncLagSeconds { get; private set; }

    public double Instances { get; private set; }

    public double ProductRequests => Requests.Values.Sum();

    public static DashboardSample From(IEnumerable<ExpositionSample> samples, double at, double unixTime)
    {
        var sample = new DashboardSample { At = at, UnixTime = unixTime };
        var buckets = new Dictionary<string, SortedDictionary<double, double>>(StringComparer.Ordinal);
        foreach (var s in samples)
        {
            switch (s.Name)
            {
                case Duration + "_count" when s.Label("source") is { } source:
                    sample.Requests[source] = s.Value;
                    break;
                case Duration + "_bucket" when s.Label("source") is { } source && s.Label("le") is { } le:
                    var bound = le is "+Inf" ? double.PositiveInfinity : double.Parse(le, System.Globalization.CultureInfo.InvariantCulture);
                    (buckets.TryGetValue(source, out var bySource) ? bySource : buckets[source] = new())[bound] = s.Value;
                    break;
                case "edgeguard_upstream_requests_total": sample.CatalogRequests = s.Value; break;
                case "edgeguard_filter_false_positives_total": sample.FalsePositives = s.Value; break;
                case "edgeguard_bloom_rejects_total": sample.BloomRejects = s.Value; break;
                case "edgeguard_cache_negative_hits_total": sample.NegativeHits = s.Value; break;
                case "edgeguard_upstream_failures_total": sample.CatalogFailures += s.Value; break;
                case "fusioncache_distributed_hit_total": sample.DistributedHits += s.Value; break;
                case "edgeguard_filter_ready": sample.Ready = s.Value; break;
                case "edgeguard_filter_items": sample.Items = s.Value; break;
                case "edgeguard_filter_fill_ratio": sample.FillRatio = s.Value; break;
                case "edgeguard_filter_memory_bytes": sample.MemoryBytes = s.Value; break;
                case "edgeguard_filter_estimated_false_positive_rate": sample.EstimatedFalsePositiveRate = s.Value; break;
                case "edgeguard_filter_target_false_positive_rate": sample.TargetFalsePositiveRate = s.Value; break;
                case "edgeguard_cache_circuit_open": sample.CircuitOpen = s.Value; break;
                case "edgeguard_filter_sync_lag_seconds": sample.SyncLagSeconds = s.Value; break;
                case "edgeguard_cluster_instances": sample.Instances = s.Value; break;
            }
        }

        foreach (var (source, bySource) in buckets)
        {
            sample.Bounds = [.. bySource.Keys];
            sample.Buckets[source] = [.. bySource.Values];
        }

        return sample;
    }
}
