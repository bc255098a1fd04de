namespace LoadReport;

/// <summary>One figure over a target's rounds: the median and the range across rounds.</summary>
internal sealed record Spread(double Median, double Min, double Max, int Count)
{
    /// <summary>The spread of <paramref name="values"/> (NaN, a figure with no requests behind it, left out); null if none is left.</summary>
    public static Spread? Of(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0)
        {
            return null;
        }

        var median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
        return new Spread(median, v[0], v[^1], v.Length);
    }
}
