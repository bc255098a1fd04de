namespace EdgeGuard.Filter;

/// <summary>Each layout's formulas, chosen by layout: <see cref="BloomFilterMath"/> or <see cref="BlockedBloomFilterMath"/>.</summary>
internal static class BloomFilterSizing
{
    public static BloomFilterSize Size(BloomFilterLayout layout, long expectedItems, double falsePositiveRate) => layout switch
    {
        BloomFilterLayout.Standard => BloomFilterMath.Size(expectedItems, falsePositiveRate),
        BloomFilterLayout.Blocked => BlockedBloomFilterMath.Size(expectedItems, falsePositiveRate),
        _ => throw UnknownLayout(layout),
    };

    public static double FalsePositiveRate(BloomFilterLayout layout, long items, long bitCount, int hashCount) => layout switch
    {
        BloomFilterLayout.Standard => BloomFilterMath.FalsePositiveRate(items, bitCount, hashCount),
        BloomFilterLayout.Blocked => BlockedBloomFilterMath.FalsePositiveRate(items, bitCount, hashCount),
        _ => throw UnknownLayout(layout),
    };

    /// <summary>
    /// The probability that one item sets a given bit: the standard layout's k probes anywhere in m bits,
    /// 1 - (1 - 1/m)^k; the blocked layout's k positions in one of z blocks, (1 - (1 - 1/512)^k) / z.
    /// </summary>
    public static double BitSetProbability(BloomFilterLayout layout, long bitCount, int hashCount) => layout switch
    {
        BloomFilterLayout.Standard => -double.ExpM1(hashCount * double.LogP1(-1.0 / bitCount)),
        BloomFilterLayout.Blocked => -double.ExpM1(hashCount * Math.Log(1 - 1.0 / BlockedBloomFilterMath.BlockBits)) / (bitCount / BlockedBloomFilterMath.BlockBits),
        _ => throw UnknownLayout(layout),
    };

    public static bool IsDefined(BloomFilterLayout layout) => layout is BloomFilterLayout.Standard or BloomFilterLayout.Blocked;

    public static string Name(BloomFilterLayout layout) => layout switch
    {
        BloomFilterLayout.Standard => "standard",
        BloomFilterLayout.Blocked => "blocked",
        _ => ((int)layout).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static ArgumentOutOfRangeException UnknownLayout(BloomFilterLayout layout) =>
        new(nameof(layout), layout, "layout must be Standard or Blocked.");
}
