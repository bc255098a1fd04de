namespace EdgeGuard.Filter;

/// <summary>
/// The sizing formulas of the blocked (cache-local) layout, <see cref="BloomFilterLayout.Blocked"/>: m bits in
/// z = m / 512 blocks of 512 bits (one 64-byte cache line each); an item's hash picks one block, and its k bits
/// are k positions drawn within that block. n, p, m and k mean what they mean in <see cref="BloomFilterMath"/>.
/// </summary>
/// <remarks>
/// <para><b>False-positive rate</b> (after Putze, Sanders and Singler, "Cache-, Hash- and Space-Efficient Bloom
/// Filters"). An absent item's block holds J of the n items, J ~ Binomial(n, 1/z), which is Poisson with mean
/// λ = n / z for the z in use (thousands of blocks and more). Given J = j, its k positions are all set with
/// probability F_k(j) (see <see cref="BlockOccupancy"/>: exact for uniform positions drawn with replacement,
/// the textbook (1 - (1 - 1/512)^(kj))^k being a slight underestimate). So
/// <code>
/// p' = sum over j >= 0 of  e^-λ λ^j / j!  *  F_k(j),   λ = 512 n / m
/// </code>
/// Blocks are unevenly loaded (a block with λ + 2√λ items is far fuller than the average), and F is convex
/// in j over the loads that matter, so p' is above the standard (1 - e^(-kn/m))^k at the same m and k: a
/// blocked filter needs more bits for the same rate: 3.4 % more at p = 1 % (3.9 % with the sizing margin
/// below), more for small p (the spread of a block's load matters more when each item sets more bits:
/// about 10 % at p = 0.1 %, 15 % at 0.01 %). Far past capacity, with most blocks nearly full, it turns
/// around.</para>
/// <para><b>Sizing.</b> For each k near the standard layout's optimum (the blocked optimum is a little below
/// it), the smallest whole number of blocks with p' &lt;= 0.98 p at n (see <see cref="SizingTargetShare"/>);
/// the k with the fewest blocks is kept (on a tie the smaller k). k is at most <see cref="MaxHashCount"/>
/// (two rounds of eight positions), which costs memory only for p below about 1e-5. Worked through for the
/// gateway's defaults, n = 1,000,000 and p = 0.01:
/// <code>
/// standard k for these n, p  = 7 (see BloomFilterMath), so k = 8 down to 2 are tried, against 0.98 %
/// k = 6: fewest blocks z = 19,466 (m = 9,966,592 bits):  p' = 0.979970 %  (19,465 blocks: 0.980178 %)
/// k = 7: 19,481 blocks; k = 5: 19,876; k = 8: 19,727; k = 2 to 4: more
/// λ = n / z = 51.37 ids per block on average
/// memory = 9,966,592 / 8 = 1,245,824 bytes: 3.9 % more than the standard layout's 1,199,120
/// at this m and k: (1 - e^(-kn/m))^k = 0.856 %; the textbook per-block shortcut gives 0.971 %
/// </code>
/// The formula assumes ideal hashing. The filter draws the positions from a 32-bit fingerprint by
/// multiplication (see <c>BlockedBits</c>); measured over 1M and 10M ids with random keys, the rate agrees
/// with p' to within the measurement's noise (tests and bench/RESULTS.md, "Filter layouts").</para>
/// </remarks>
public static class BlockedBloomFilterMath
{
    /// <summary>Bits per block: 512, one 64-byte cache line.</summary>
    public const int BlockBits = 512;

    /// <summary>64-bit words per block.</summary>
    public const int WordsPerBlock = BlockBits / BloomFilterMath.BitsPerWord;

    /// <summary>The largest k: sixteen positions, two rounds of eight.</summary>
    public const int MaxHashCount = 16;

    /// <summary>
    /// Sizing aims at p' &lt;= 0.98 p, not p: the formula matches the measured rate on average, but one filter's
    /// rate depends on how its own ids happen to load its blocks (a spread of about 0.3 % at 1M ids), and a
    /// measurement on 1M absent ids has 1 % noise of its own. 2 % under p keeps a measured rate under p, for
    /// about 0.5 % more memory.
    /// </summary>
    public const double SizingTargetShare = 0.98;

    /// <summary>
    /// The most blocks one array holds: the bit array is allocated with up to one block's worth of words more
    /// than m / 64, to start on a cache-line boundary.
    /// </summary>
    public const long MaxBlockCount = ((long)0x7FFFFFC7 - (WordsPerBlock - 1)) / WordsPerBlock;

    /// <summary>
    /// False-positive rate after <paramref name="items"/> distinct insertions into <paramref name="bitCount"/>
    /// bits in 512-bit blocks with <paramref name="hashCount"/> positions per item: the Poisson mixture above.
    /// Zero items give 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">items is negative, bitCount is not a positive multiple of 512, or hashCount is not 1 to 16.</exception>
    public static double FalsePositiveRate(long items, long bitCount, int hashCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ValidateShape(bitCount, hashCount);
        if (items == 0)
        {
            return 0;
        }

        var lambda = (double)items / (bitCount / BlockBits);
        var occupancy = BlockOccupancy.For(hashCount);

        // So full that even the least loaded blocks that matter have every bit set: rounds to 1.
        var leastLoaded = (long)Math.Max(0, Math.Floor(lambda - 12 * Math.Sqrt(lambda)));
        if (leastLoaded * hashCount >= BlockOccupancy.SaturatedDraws && occupancy.Shortcut(leastLoaded) == 1.0)
        {
            return 1.0;
        }

        // Poisson weights relative to the mode's, summed outwards until they no longer count; dividing by
        // their sum normalises them without e^-λ (which underflows for large λ).
        var mode = (long)Math.Floor(lambda);
        double weighted = 0, total = 0, weight = 1;
        for (var j = mode; weight >= 1e-20 * total; j++)
        {
            weighted += weight * occupancy.AllSet(j);
            total += weight;
            weight *= lambda / (j + 1);
        }

        weight = 1;
        for (var j = mode; j > 0;)
        {
            weight *= j / lambda;
            j--;
            weighted += weight * occupancy.AllSet(j);
            total += weight;
            if (weight < 1e-20 * total)
            {
                break;
            }
        }

        return weighted / total;
    }

    /// <summary>
    /// The size the blocked layout uses for n items at rate p: a whole number of 512-bit blocks and k from 1
    /// to 16 (see the remarks). For (1,000,000, 0.01): m = 9,966,592 bits (19,466 blocks), k = 6.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n is not positive, p is not strictly between 0 and 1, or the filter needs more than <see cref="MaxBlockCount"/> blocks.</exception>
    public static BloomFilterSize Size(long expectedItems, double falsePositiveRate)
    {
        var textbookBits = BloomFilterMath.OptimalBitCount(expectedItems, falsePositiveRate);
        var standardHashCount = BloomFilterMath.OptimalHashCount(expectedItems, textbookBits);
        var start = textbookBits / BlockBits + 1; // where the search starts: a blocked filter needs a little more than this

        long bestBlocks = 0;
        var bestHashCount = 0;
        var highest = Math.Min(MaxHashCount, standardHashCount + 1);
        for (var hashCount = highest; hashCount >= Math.Max(1, highest - 6); hashCount--)
        {
            var blocks = SmallestBlockCount(expectedItems, falsePositiveRate * SizingTargetShare, hashCount, start);
            if (bestBlocks == 0 || blocks <= bestBlocks)
            {
                (bestBlocks, bestHashCount) = (blocks, hashCount);
            }
        }

        return new BloomFilterSize(bestBlocks * BlockBits, bestHashCount);
    }

    /// <summary>The smallest block count meeting p at n with k positions; p' falls as blocks are added.</summary>
    private static long SmallestBlockCount(long expectedItems, double falsePositiveRate, int hashCount, long from)
    {
        bool MeetsTarget(long blocks) =>
            blocks >= 1 && FalsePositiveRate(expectedItems, blocks * BlockBits, hashCount) <= falsePositiveRate;

        // MeetsTarget(0) is false (0 stands for "no blocks").
        var start = Math.Min(from, MaxBlockCount);
        if (!MeetsTarget(start))
        {
            return MonotoneSearch.SmallestFrom(start, MaxBlockCount, MeetsTarget, () => new ArgumentOutOfRangeException(nameof(expectedItems), expectedItems,
                $"expectedItems = {expectedItems} at falsePositiveRate = {falsePositiveRate} needs more than the {MaxBlockCount:N0} blocks one bit array can hold."));
        }

        long low = start, high;
        do
        {
            high = low;
            low /= 2;
        }
        while (MeetsTarget(low));

        return MonotoneSearch.SmallestBetween(low, high, MeetsTarget);
    }

    internal static void ValidateShape(long bitCount, int hashCount)
    {
        if (bitCount <= 0 || bitCount % BlockBits != 0 || bitCount / BlockBits > MaxBlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(bitCount), bitCount,
                $"bitCount must be a positive multiple of {BlockBits} of at most {MaxBlockCount:N0} blocks.");
        }

        if (hashCount is < 1 or > MaxHashCount)
        {
            throw new ArgumentOutOfRangeException(nameof(hashCount), hashCount,
                $"hashCount must be 1 to {MaxHashCount} in the blocked layout.");
        }
    }
}
