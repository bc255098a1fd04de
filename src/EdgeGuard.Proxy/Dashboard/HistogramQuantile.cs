namespace EdgeGuard.Proxy.Dashboard;

/// <summary>
/// A quantile from cumulative histogram buckets, the way Prometheus's <c>histogram_quantile</c> estimates it: the
/// bucket holding the rank, interpolated linearly inside it (from 0 below the first bound); a rank in the +Inf
/// bucket answers the highest finite bound.
/// </summary>
public static class HistogramQuantile
{
    /// <param name="bounds">Upper bounds, ascending, the last +Inf.</param>
    /// <param name="cumulative">Observations at or below each bound (the +Inf one is the total).</param>
    /// <returns>Null when there is no observation.</returns>
    public static double? Of(double quantile, IReadOnlyList<double> bounds, IReadOnlyList<double> cumulative)
    {
        if (cumulative.Count == 0 || cumulative[^1] <= 0)
        {
            return null;
        }

        var rank = quantile * cumulative[^1];
        for (var i = 0; i < cumulative.Count; i++)
        {
            if (cumulative[i] < rank)
            {
                continue;
            }

            if (double.IsPositiveInfinity(bounds[i]))
            {
                return i > 0 ? bounds[i - 1] : null;
            }

            var lower = i > 0 ? bounds[i - 1] : 0;
            var below = i > 0 ? cumulative[i - 1] : 0;
            var inBucket = cumulative[i] - below;
            return inBucket <= 0 ? bounds[i] : lower + ((bounds[i] - lower) * (rank - below) / inBucket);
        }

        return null;
    }
}
