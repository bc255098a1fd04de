using EdgeGuard.Proxy.Dashboard;

namespace EdgeGuard.Proxy.Tests.Dashboard;

/// <summary>What the dashboard computes from the exporter's text: samples, percentiles, the observed false-positive share and the verdict.</summary>
public sealed class DashboardMathTests
{
    [Fact]
    public void The_exposition_is_read_as_a_scraper_reads_it()
    {
        const string text = """
            # HELP edgeguard_bloom_rejects_total Product requests answered 404 by the Bloom filter.
            # TYPE edgeguard_bloom_rejects_total counter
            edgeguard_bloom_rejects_total{} 17
            edgeguard_cache_hits_total 3 1700000000000
            edgeguard_request_duration_seconds_bucket{source="bloom",le="+Inf"} 5
            weird{path="a\"b\\c\nd",x="1",} 2.5E-05
            not a sample line
            """;

        var samples = PrometheusExposition.Read(text).ToList();

        Assert.Equal(4, samples.Count);
        Assert.Equal(17, samples[0].Value);
        Assert.Empty(samples[0].Labels);
        Assert.Equal(3, samples[1].Value);
        Assert.Equal("+Inf", samples[2].Label("le"));
        Assert.Equal("a\"b\\c\nd", samples[3].Label("path"));
        Assert.Equal("1", samples[3].Label("x"));
        Assert.Equal(2.5E-05, samples[3].Value);
    }

    [Fact]
    public void Percentiles_interpolate_inside_the_bucket_as_histogram_quantile_does()
    {
        double[] bounds = [0.001, 0.002, 0.004, double.PositiveInfinity];
        double[] cumulative = [50, 90, 100, 100];

        Assert.Equal(0.001, HistogramQuantile.Of(0.5, bounds, cumulative)!.Value, 9);
        Assert.Equal(0.00175, HistogramQuantile.Of(0.8, bounds, cumulative)!.Value, 9);
        Assert.Equal(0.0038, HistogramQuantile.Of(0.99, bounds, cumulative)!.Value, 9);
        Assert.Null(HistogramQuantile.Of(0.5, bounds, [0, 0, 0, 0]));
        // A rank beyond the last finite bound answers that bound.
        Assert.Equal(0.004, HistogramQuantile.Of(0.99, bounds, [0, 0, 10, 100]));
    }

    [Fact]
    public void The_false_positive_share_counts_only_missing_ids_that_cost_a_catalog_request()
    {
        // 980 rejected by the filter, 10 answered from negative entries, 10 fetched and found missing.
        Assert.Equal(0.01, ShieldVerdict.FalsePositiveShare(falsePositives: 10, bloomRejects: 980, negativeHits: 10)!.Value, 9);
        Assert.Null(ShieldVerdict.FalsePositiveShare(0, 0, 0));
    }

    [Theory]
    [InlineData(10, 1000, "holding")] // 1 %: the target
    [InlineData(3, 100, "holding")] // 3 % of a small sample: not evidence of a leak
    [InlineData(40, 1000, "leaking")] // 4 % of a thousand: twice the target and more, beyond doubt
    [InlineData(0, 0, "holding")] // no missing id at all
    public void The_verdict_needs_evidence_of_more_than_twice_the_target(double falsePositives, double judged, string expected)
    {
        var (verdict, reason) = ShieldVerdict.Judge(ready: true, trusted: true, falsePositives, judged, target: 0.01, windowSeconds: 60);

        Assert.Equal(expected, verdict == Verdict.Holding ? "holding" : "leaking");
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void A_filter_that_does_not_reject_is_leaking()
    {
        Assert.Equal(Verdict.Leaking, ShieldVerdict.Judge(ready: false, trusted: true, 0, 0, 0.01, 60).Verdict);
        Assert.Equal(Verdict.Leaking, ShieldVerdict.Judge(ready: true, trusted: false, 0, 0, 0.01, 60).Verdict);
    }
}
