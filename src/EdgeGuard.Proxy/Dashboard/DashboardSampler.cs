using System.Diagnostics;
using System.Text.Json;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Cluster;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Dashboard;

/// <summary>
/// Takes a sample of the gateway's metrics (<see cref="MetricsScrape"/>) when the dashboard asks, at most one per
/// <see cref="MinInterval"/> however many pages are open, keeps the last <see cref="Kept"/> of them, and answers
/// <see cref="DashboardData"/> computed from them. Nothing runs while nobody watches.
/// </summary>
public sealed class DashboardSampler(
    MetricsScrape scrape,
    ProductFilter filter,
    ProductCache cache,
    ClusterStatus cluster,
    TimeProvider time,
    LogThrottle throttle,
    ILogger<DashboardSampler> logger)
{
    /// <summary>Rates, shares and percentiles shown as "now" are over this window.</summary>
    public const int RecentWindowSeconds = 10;

    /// <summary>The observed false-positive share needs more missing-id requests: a longer window.</summary>
    public const int FalsePositiveWindowSeconds = 60;

    /// <summary>The sources the charts show, in stacking order; <c>budget</c> is the per-client budget's.</summary>
    public static readonly IReadOnlyList<string> ChartSources =
        [AnswerSource.Bloom, AnswerSource.Cache, AnswerSource.NegativeCache, AnswerSource.Stale, AnswerSource.Upstream, "budget", AnswerSource.Invalid];

    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(900);
    private const int Kept = 600;

    /// <summary>Two samples further apart than this have a gap between them in the charts (nobody was watching).</summary>
    private const double GapSeconds = 5;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<DashboardSample> _samples = [];
    private byte[]? _latest;
    private long _latestAt = long.MinValue;

    /// <summary>The dashboard's data as UTF-8 JSON, from a new sample unless one was taken less than <see cref="MinInterval"/> ago.</summary>
    public async Task<byte[]> ReadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_latest is { } recent && Stopwatch.GetElapsedTime(_latestAt) < MinInterval)
            {
                return recent;
            }

            if (await scrape.ReadAsync(cancellationToken).ConfigureAwait(false) is { } text)
            {
                Add(DashboardSample.From(PrometheusExposition.Read(text), (double)Stopwatch.GetTimestamp() / Stopwatch.Frequency, time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0));
            }
            else if (throttle.ShouldLog("dashboard-scrape", out var suppressed))
            {
                DashboardLogMessages.ScrapeFailed(logger, suppressed);
            }

            _latest = JsonSerializer.SerializeToUtf8Bytes(Compute(), DashboardJsonContext.Default.DashboardData);
            _latestAt = Stopwatch.GetTimestamp();
            return _latest;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Add(DashboardSample sample)
    {
        _samples.Add(sample);
        // Older than the kept count, or from before a long pause: they would only draw a line across the pause.
        var oldest = sample.At - (Kept * 2);
        _samples.RemoveAll(kept => kept.At < oldest);
        if (_samples.Count > Kept)
        {
            _samples.RemoveRange(0, _samples.Count - Kept);
        }
    }

    private DashboardData Compute()
    {
        var latest = _samples.Count > 0 ? _samples[^1] : null;
        var recent = latest is null ? null : Before(latest, RecentWindowSeconds);
        var longer = latest is null ? null : Before(latest, FalsePositiveWindowSeconds);
        var target = latest?.TargetFalsePositiveRate is > 0 and var t ? t : filter.Current?.FalsePositiveRate ?? 0.01;

        var fpShare = latest is not null && longer is not null
            ? ShieldVerdict.FalsePositiveShare(latest.FalsePositives - longer.FalsePositives, latest.BloomRejects - longer.BloomRejects, latest.NegativeHits - longer.NegativeHits)
            : null;
        var missing = latest is not null && longer is not null
            ? (latest.FalsePositives - longer.FalsePositives) + (latest.BloomRejects - longer.BloomRejects) + (latest.NegativeHits - longer.NegativeHits)
            : 0;
        var falsePositives = latest is not null && longer is not null ? latest.FalsePositives - longer.FalsePositives : 0;
        var (verdict, reason) = ShieldVerdict.Judge(filter.IsReady, filter.IsTrusted, falsePositives, missing, target, FalsePositiveWindowSeconds);

        var view = cluster.View;
        return new DashboardData(
            view.InstanceId,
            latest?.UnixTime ?? time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
            verdict == Verdict.Holding ? "holding" : "leaking",
            reason,
            ChartSources,
            RecentWindowSeconds,
            FalsePositiveWindowSeconds,
            Now(latest, recent, fpShare, falsePositives, missing, target),
            History(),
            new FilterState(filter.IsReady, filter.IsTrusted, latest?.Items ?? filter.Items, latest?.FillRatio ?? 0, latest?.EstimatedFalsePositiveRate ?? 0, target),
            new CacheState(cache.IsDistributed, cache.CircuitOpen, cache.Degradation),
            new ClusterState(cluster.IsClustered, latest?.Instances ?? view.Instances, latest?.SyncLagSeconds ?? view.SyncLag.TotalSeconds));
    }

    private static DashboardNow Now(DashboardSample? latest, DashboardSample? recent, double? fpShare, double falsePositives, double missing, double target)
    {
        var leak = ShieldVerdict.LeakFactor * target;
        if (latest is null)
        {
            return new DashboardNow(null, new Dictionary<string, double?>(), null, null, null, 0, 0, 0, null, fpShare, falsePositives, missing, leak, [], null, null);
        }

        var avoidedTotal = Math.Max(0, latest.ProductRequests - latest.CatalogRequests);
        if (recent is null)
        {
            return new DashboardNow(null, new Dictionary<string, double?>(), null, null, null, avoidedTotal, latest.ProductRequests, latest.CatalogRequests, null,
                fpShare, falsePositives, missing, leak, [], null, null);
        }

        var seconds = latest.At - recent.At;
        var rates = ChartSources.ToDictionary(source => source, source => (double?)(Delta(latest.Requests, recent.Requests, source) / seconds), StringComparer.Ordinal);
        var requests = latest.ProductRequests - recent.ProductRequests;
        var catalog = latest.CatalogRequests - recent.CatalogRequests;
        var cacheAnswers = Delta(latest.Requests, recent.Requests, AnswerSource.Cache) + Delta(latest.Requests, recent.Requests, AnswerSource.NegativeCache);
        var lookedUp = cacheAnswers + Delta(latest.Requests, recent.Requests, AnswerSource.Upstream) + Delta(latest.Requests, recent.Requests, AnswerSource.Stale);
        var latency = ChartSources
            .Where(source => latest.Buckets.ContainsKey(source))
            .Select(source =>
            {
                var now = latest.Buckets[source];
                var before = recent.Buckets.GetValueOrDefault(source);
                var window = now.Select((count, i) => count - (before is { Length: > 0 } && before.Length == now.Length ? before[i] : 0)).ToArray();
                return new LatencyRow(source, HistogramQuantile.Of(0.5, latest.Bounds, window), HistogramQuantile.Of(0.99, latest.Bounds, window), window[^1]);
            })
            .ToList();
        return new DashboardNow(
            requests / seconds,
            rates,
            requests > 0 ? Math.Min(1, catalog / requests) : null,
            catalog / seconds,
            Math.Max(0, requests - catalog) / seconds,
            avoidedTotal,
            latest.ProductRequests,
            latest.CatalogRequests,
            (latest.CatalogFailures - recent.CatalogFailures) / seconds,
            fpShare,
            falsePositives,
            missing,
            leak,
            latency,
            lookedUp > 0 ? cacheAnswers / lookedUp : null,
            cacheAnswers > 0 ? Math.Min(1, (latest.DistributedHits - recent.DistributedHits) / cacheAnswers) : null);
    }

    private DashboardHistory History()
    {
        var times = new List<double>();
        var rates = ChartSources.ToDictionary(source => source, _ => new List<double?>(), StringComparer.Ordinal);
        var fpShare = new List<double?>();
        for (var i = 1; i < _samples.Count; i++)
        {
            var (previous, current) = (_samples[i - 1], _samples[i]);
            var seconds = current.At - previous.At;
            var gap = seconds > GapSeconds || seconds <= 0;
            times.Add(current.UnixTime);
            foreach (var source in ChartSources)
            {
                rates[source].Add(gap ? null : Delta(current.Requests, previous.Requests, source) / seconds);
            }

            var longer = Before(current, FalsePositiveWindowSeconds, upTo: i);
            fpShare.Add(gap || longer is null ? null : ShieldVerdict.FalsePositiveShare(
                current.FalsePositives - longer.FalsePositives, current.BloomRejects - longer.BloomRejects, current.NegativeHits - longer.NegativeHits));
        }

        return new DashboardHistory(times, rates.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<double?>)pair.Value, StringComparer.Ordinal), fpShare);
    }

    /// <summary>The newest sample at least <paramref name="seconds"/> older than <paramref name="sample"/>, else the oldest
    /// one within the same run of samples (no gap between); null when there is none before it.</summary>
    private DashboardSample? Before(DashboardSample sample, int seconds, int? upTo = null)
    {
        var index = upTo ?? _samples.Count - 1;
        DashboardSample? found = null;
        for (var i = index - 1; i >= 0; i--)
        {
            if (_samples[i + 1].At - _samples[i].At > GapSeconds)
            {
                break;
            }

            found = _samples[i];
            if (sample.At - _samples[i].At >= seconds)
            {
                break;
            }
        }

        return found;
    }

    private static double Delta(Dictionary<string, double> now, Dictionary<string, double> before, string source) =>
        Math.Max(0, now.GetValueOrDefault(source) - before.GetValueOrDefault(source));
}
