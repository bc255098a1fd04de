using System.Globalization;

namespace LoadReport;

/// <summary>How the report writes numbers (invariant culture, thousands separators).</summary>
internal static class Format
{
    /// <summary><paramref name="value"/> with thousands separators and <paramref name="decimals"/> decimals: "12,345.6".</summary>
    public static string Number(double value, int decimals) =>
        value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A ratio of two figures: "1.23x".</summary>
    public static string Ratio(double value) => Number(value, 2) + "x";

    /// <summary>About three significant figures: no decimals from 100 up, one from 10, two below ("1,234", "12.3", "1.23").</summary>
    public static string ThreeFigures(double value) =>
        Math.Abs(value) >= 100 ? Number(value, 0) : Math.Abs(value) >= 10 ? Number(value, 1) : Number(value, 2);

    /// <summary>The median, then (min–max) when there was more than one round: "12.3% (11.0–14.2)".</summary>
    public static string MedianAndRange(Spread s, int decimals, string unit = "") =>
        s.Count > 1
            ? $"{Number(s.Median, decimals)}{unit} ({Number(s.Min, decimals)}–{Number(s.Max, decimals)})"
            : $"{Number(s.Median, decimals)}{unit}";

    /// <summary><see cref="MedianAndRange"/> with each figure in <see cref="ThreeFigures"/>.</summary>
    public static string MedianAndRangeThreeFigures(Spread s) =>
        s.Count > 1 ? $"{ThreeFigures(s.Median)} ({ThreeFigures(s.Min)}–{ThreeFigures(s.Max)})" : ThreeFigures(s.Median);
}
