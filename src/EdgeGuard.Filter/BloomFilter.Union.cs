namespace EdgeGuard.Filter;

public sealed partial class BloomFilter
{
    /// <summary>
    /// ORs every bit of <paramref name="other"/> into this filter, which then answers true for every item
    /// of both. <see cref="Count"/> becomes the estimate n* = ln(1 - X/m) / ln(1 - q) from the X bits set,
    /// q being the probability that one item sets a given bit (standard: 1 - (1 - 1/m)^k, so n* is about
    /// -(m/k) ln(1 - X/m); blocked: (1 - (1 - 1/512)^k) / (m / 512)), since the two filters' items may overlap.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The filters differ in layout, in m or k, or in hashing (one keyed and one not, or two keys): their
    /// bits do not mean the same thing. The message never contains a key.
    /// </exception>
    /// <exception cref="InvalidOperationException">A <see cref="ParallelBloomFilterBuilder"/> is filling this filter.</exception>
    public void UnionWith(BloomFilter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ThrowIfBuilding();
        if (other.Layout != Layout)
        {
            throw new ArgumentException(
                $"Cannot union filters of different layouts: this one is {BloomFilterSizing.Name(Layout)}, the other {BloomFilterSizing.Name(other.Layout)}.",
                nameof(other));
        }

        if (other.BitCount != BitCount || other.HashCount != HashCount)
        {
            throw new ArgumentException(
                $"Cannot union filters of different shapes: this one has m = {BitCount}, k = {HashCount}; the other m = {other.BitCount}, k = {other.HashCount}.",
                nameof(other));
        }

        if (other.Key != Key)
        {
            throw new ArgumentException(
                Key is null || other.Key is null
                    ? $"Cannot union filters hashed differently: this one is {(Key is null ? "unkeyed" : "keyed")}, the other {(other.Key is null ? "unkeyed" : "keyed")}."
                    : "Cannot union filters hashed with different keys.",
                nameof(other));
        }

        if (ReferenceEquals(other, this))
        {
            return;
        }

        _bits.UnionWith(other._bits);
        Interlocked.Exchange(ref _count, EstimateItemCount(_bits.PopCount()));
    }

    /// <summary>Distinct items that would leave <paramref name="setBits"/> bits set on average: n* = ln(1 - X/m) / ln(1 - q).</summary>
    private long EstimateItemCount(long setBits)
    {
        if (setBits >= BitCount)
        {
            return long.MaxValue;
        }

        var bitSet = BloomFilterSizing.BitSetProbability(Layout, BitCount, HashCount);
        return (long)Math.Round(double.LogP1(-(double)setBits / BitCount) / double.LogP1(-bitSet));
    }
}
