namespace EdgeGuard.Filter;

/// <summary>
/// Finds the smallest count (of words, of blocks) that meets a target which, once met, stays met as the count grows:
/// doubling until it is met, then binary search. A linear walk would also do for sane inputs but could take millions
/// of steps for extreme ones.
/// </summary>
internal static class MonotoneSearch
{
    /// <summary>From a <paramref name="low"/> that does not meet the target, doubles up to <paramref name="max"/> until a
    /// count does; then the smallest count between them that does.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not even <paramref name="max"/> meets it (<paramref name="tooLarge"/>).</exception>
    public static long SmallestFrom(long low, long max, Func<long, bool> meets, Func<ArgumentOutOfRangeException> tooLarge)
    {
        var high = low;
        do
        {
            low = high;
            high = Math.Min(max, high * 2);
            if (high == low)
            {
                throw tooLarge();
            }
        }
        while (!meets(high));

        return SmallestBetween(low, high, meets);
    }

    /// <summary>The smallest count in (<paramref name="low"/>, <paramref name="high"/>] that meets the target, given that
    /// <paramref name="low"/> does not and <paramref name="high"/> does.</summary>
    public static long SmallestBetween(long low, long high, Func<long, bool> meets)
    {
        while (high - low > 1)
        {
            var middle = low + (high - low) / 2;
            if (meets(middle))
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return high;
    }
}
