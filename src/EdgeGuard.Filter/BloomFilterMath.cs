namespace EdgeGuard.Filter;

/// <summary>
/// The sizing formulas of a Bloom filter, each in its own function so that it can be read, tested and
/// reported on its own. n is the number of items the filter is sized for, p the target false-positive
/// rate, m the number of bits, k the number of hash functions (probes per item).
/// </summary>
/// <remarks>
/// Worked through for the gateway's defaults, n = 1,000,000 and p = 0.01:
/// <code>
/// textbook m  = ceil(-n ln p / (ln 2)^2) = ceil(9,585,058.38)      = 9,585,059 bits
/// k           = round((m / n) ln 2)      = round(6.6438)           = 7
/// p' at m     = (1 - e^(-k n / m))^k                              = 1.0039215 %   &gt; 1 %
/// m in use    = smallest multiple of 64 with p' &lt;= p               = 9,592,960 bits (149,890 words)
/// p' at m     =                                                    = 0.99999738 %  &lt;= 1 %
/// memory      = 149,890 words * 8 bytes                            = 1,199,120 bytes (1.2 MB)
/// </code>
/// The textbook m is the optimum for a real-valued k; rounding k to an integer moves the rate slightly
/// off the target (here above it), so the filter keeps k and grows m word by word until the promise
/// p' &lt;= p holds. Whole 64-bit words cost nothing extra: the bit array is allocated in words anyway.
/// </remarks>
public static class BloomFilterMath
{
    /// <summary>Bits per word of the bit array; m is always a multiple of it.</summary>
    public const int BitsPerWord = 64;

    /// <summary>
    /// The largest m the filter accepts: every bit must be addressable in one <see cref="long"/> array.
    /// </summary>
    public const long MaxBitCount = (long)0x7FFFFFC7 * BitsPerWord; // Array.MaxLength words

    /// <summary>
    /// Textbook optimal bit count, m = ceil(-n ln p / (ln 2)^2). For n = 1,000,000, p = 0.01: 9,585,059.
    /// </summary>
    public static long OptimalBitCount(long expectedItems, double falsePositiveRate)
    {
        ValidateExpectedItems(expectedItems);
        ValidateFalsePositiveRate(falsePositiveRate);
        var bits = Math.Ceiling(-expectedItems * Math.Log(falsePositiveRate) / (Math.Log(2) * Math.Log(2)));
        if (bits > MaxBitCount)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedItems), expectedItems,
                $"expectedItems = {expectedItems} at falsePositiveRate = {falsePositiveRate} needs {bits:N0} bits, more than the {MaxBitCount:N0} one bit array can hold.");
        }

        return Math.Max(1, (long)bits);
    }

    /// <summary>
    /// Optimal integer number of hash functions, k = round((m / n) ln 2), at least 1.
    /// For n = 1,000,000 and m = 9,585,059: round(6.6438) = 7.
    /// </summary>
    public static int OptimalHashCount(long expectedItems, long bitCount)
    {
        ValidateExpectedItems(expectedItems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bitCount);
        var k = Math.Round((double)bitCount / expectedItems * Math.Log(2), MidpointRounding.AwayFromZero);
        return (int)Math.Clamp(k, 1, int.MaxValue);
    }

    /// <summary>
    /// False-positive rate after <paramref name="items"/> distinct insertions into m bits with k hashes:
    /// p' = (1 - e^(-k n / m))^k. For n = 1,000,000, k = 7: 1.0039215 % at m = 9,585,059 and
    /// 0.99999738 % at m = 9,592,960. Zero items give a rate of 0.
    /// </summary>
    public static double FalsePositiveRate(long items, long bitCount, int hashCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bitCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hashCount);
        return Math.Pow(1 - Math.Exp(-(double)hashCount * items / bitCount), hashCount);
    }

    /// <summary>
    /// The size the filter actually uses: k from the textbook m, then the smallest m that is a whole
    /// number of 64-bit words and gives p' &lt;= p at n. For (1,000,000, 0.01): m = 9,592,960, k = 7.
    /// </summary>
    /// <remarks>
    /// With k fixed, p' falls as m grows, so the smallest word count is found by doubling then binary
    /// search (<see cref="MonotoneSearch"/>).
    /// </remarks>
    public static BloomFilterSize Size(long expectedItems, double falsePositiveRate)
    {
        var textbookBits = OptimalBitCount(expectedItems, falsePositiveRate);
        var hashCount = OptimalHashCount(expectedItems, textbookBits);
        const long maxWords = MaxBitCount / BitsPerWord;

        bool MeetsTarget(long words) =>
            FalsePositiveRate(expectedItems, words * BitsPerWord, hashCount) <= falsePositiveRate;

        var low = (textbookBits + BitsPerWord - 1) / BitsPerWord; // candidate; may be too small
        if (MeetsTarget(low))
        {
            return new BloomFilterSize(low * BitsPerWord, hashCount);
        }

        var words = MonotoneSearch.SmallestFrom(low, maxWords, MeetsTarget, () => new ArgumentOutOfRangeException(nameof(expectedItems), expectedItems,
            $"expectedItems = {expectedItems} at falsePositiveRate = {falsePositiveRate} needs more bits than one bit array can hold."));
        return new BloomFilterSize(words * BitsPerWord, hashCount);
    }

    internal static void ValidateExpectedItems(long expectedItems)
    {
        if (expectedItems <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedItems), expectedItems,
                "expectedItems must be positive.");
        }
    }

    internal static void ValidateFalsePositiveRate(double falsePositiveRate)
    {
        // Written so that NaN fails too: every comparison with NaN is false.
        if (!(falsePositiveRate > 0 && falsePositiveRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(falsePositiveRate), falsePositiveRate,
                "falsePositiveRate must lie strictly between 0 and 1.");
        }
    }
}
