namespace EdgeGuard.Proxy.Dashboard;

/// <summary>Whether the catalog is shielded from ids that do not exist, as the dashboard colours it.</summary>
public enum Verdict
{
    Holding,
    Leaking,
}

/// <summary>
/// The observed false-positive share and the verdict drawn from it.
/// <para>
/// <b>Observed false-positive share</b> over a window = F / (B + N + F), where B = Bloom rejects
/// (<c>edgeguard_bloom_rejects_total</c>), N = negative-cache answers (<c>edgeguard_cache_negative_hits_total</c>) and
/// F = catalog fetches that answered 404 for an id the ready filter let through
/// (<c>edgeguard_filter_false_positives_total</c>). The denominator is the product reads for ids the catalog does
/// not have that reached a decision (rejected by the filter, or let through and then found missing); the numerator
/// is those of them that cost a catalog request. For a stream of distinct missing ids (the penetration attack) it
/// estimates the filter's false-positive rate, the same quantity as the predicted
/// <c>edgeguard_filter_estimated_false_positive_rate</c>. A missing id the filter lets through again within the
/// negative TTL is answered from the negative cache and counts in N only: it costs the catalog nothing.
/// Reads forwarded untouched (a query string, credentials, a pending write, an instance that is not trusted) and
/// HEAD requests are in neither part. The literal alternative, 404 fetches over all filter-passed requests, mixes in
/// reads of existing products and is not comparable with the predicted rate.
/// </para>
/// </summary>
public static class ShieldVerdict
{
    /// <summary>Leaking when the share is, with 95 % confidence, above this multiple of the target rate.</summary>
    public const double LeakFactor = 2;

    private const double Z = 1.96;

    /// <summary>F / (B + N + F), or null without any missing-id request in the window.</summary>
    public static double? FalsePositiveShare(double falsePositives, double bloomRejects, double negativeHits)
    {
        var judged = falsePositives + bloomRejects + negativeHits;
        return judged > 0 ? falsePositives / judged : null;
    }

    /// <summary>
    /// Leaking when the filter is not rejecting (not loaded, or this cluster member is catching up and forwards
    /// everything), or when the lower end of the 95 % Wilson interval of the observed share is above
    /// <see cref="LeakFactor"/> times the target: a handful of unlucky false positives in a small sample is not a leak.
    /// </summary>
    public static (Verdict Verdict, string Reason) Judge(bool ready, bool trusted, double falsePositives, double judged, double target, int windowSeconds)
    {
        if (!ready)
        {
            return (Verdict.Leaking, "The Bloom filter is not loaded yet: every id goes to the cache and the catalog.");
        }

        if (!trusted)
        {
            return (Verdict.Leaking, "This instance is catching up with its cluster: it forwards every id until it has.");
        }

        if (judged <= 0)
        {
            return (Verdict.Holding, $"No request for a missing id in the last {windowSeconds} s.");
        }

        var share = falsePositives / judged;
        var threshold = LeakFactor * target;
        return WilsonLowerBound(share, judged) > threshold
            ? (Verdict.Leaking, $"{share:P2} of missing ids reached the catalog in the last {windowSeconds} s, above {LeakFactor:0}x the filter's target ({threshold:P2}).")
            : (Verdict.Holding, $"{share:P2} of {judged:N0} missing ids reached the catalog in the last {windowSeconds} s (leaking above {threshold:P2}).");
    }

    /// <summary>The lower end of the 95 % Wilson score interval of a share observed in <paramref name="n"/> trials.</summary>
    public static double WilsonLowerBound(double share, double n)
    {
        var z2 = Z * Z;
        var centre = share + (z2 / (2 * n));
        var margin = Z * Math.Sqrt((share * (1 - share) / n) + (z2 / (4 * n * n)));
        return (centre - margin) / (1 + (z2 / n));
    }
}
