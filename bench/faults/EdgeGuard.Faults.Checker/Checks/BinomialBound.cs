namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>The one-sided bound of a binomial count: how many successes of <c>n</c> trials at rate <c>p</c> are still plausible.</summary>
public static class BinomialBound
{
    /// <summary>
    /// The smallest <c>k</c> such that P(X &gt; k) &lt;= <paramref name="significance"/> for X ~ Binomial(<paramref name="trials"/>,
    /// <paramref name="rate"/>): a count above it would happen less often than that by chance alone.
    /// </summary>
    public static int UpperLimit(int trials, double rate, double significance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        if (rate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "A rate is between 0 and 1.");
        }

        if (rate == 0 || trials == 0)
        {
            return 0;
        }

        if (rate == 1)
        {
            return trials;
        }

        // P(X = k) in log space, from k = 0 upwards (each from the one before), summed until the rest of the tail is small enough.
        var odds = Math.Log(rate) - Math.Log(1 - rate);
        var logProbability = trials * Math.Log(1 - rate);
        var cumulative = 0.0;
        for (var k = 0; k < trials; k++)
        {
            cumulative += Math.Exp(logProbability);
            if (1 - cumulative <= significance)
            {
                return k;
            }

            logProbability += Math.Log(trials - k) - Math.Log(k + 1) + odds;
        }

        return trials;
    }
}
