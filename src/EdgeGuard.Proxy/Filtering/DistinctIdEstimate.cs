using EdgeGuard.Filter;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// How many distinct ids a filter was built from, estimated from the filter when they were too many to count
/// (see <see cref="DistinctIdCounter"/>).
/// </summary>
/// <remarks>
/// <para><see cref="BloomFilter.Count"/> counts the adds that set a new bit. A repeated id never does; nor does a new
/// id whose bits were all set already, which the i-th distinct id is with the probability that the filter then let an
/// absent id through: p'(i), by the layout's formula (<see cref="BloomFilter.FalsePositiveRateAt"/>). So on average
/// <c>Count = N - S(N)</c>, with <c>S(N) = ∫ p'(x) dx from 0 to N</c> (Simpson's rule, 64 intervals), and N is solved
/// from it by iterating <c>N = Count + S(N)</c>, which converges while p' is below 1 (each step moves by p' times the
/// step before).</para>
/// <para>The ids missed are many nearly independent rare events, so their number varies by about its square root: at
/// a filter's capacity they are about 0.2 % of the ids (blocked layout, p = 1 %), e.g. 100,000 of 50M, give or take
/// 320, so the estimate is within about 0.001 % of the count. Far past its capacity a filter's p' nears 1 and its
/// count says little: the estimate then stops at 16 times the capacity, which is enough for the builder to know that
/// the filter must be sized again.</para>
/// </remarks>
internal static class DistinctIdEstimate
{
    private const int Intervals = 64;
    private const int MaxIterations = 100;
    private const long MaxOverfill = 16;

    /// <summary>The estimated number of distinct ids added to <paramref name="filter"/> (at least its <see cref="BloomFilter.Count"/>).</summary>
    public static long Of(BloomFilter filter)
    {
        var counted = filter.Count;
        var ceiling = (double)filter.ExpectedItems * MaxOverfill;
        double estimate = counted;
        for (var i = 0; i < MaxIterations && estimate < ceiling; i++)
        {
            var next = counted + Missed(filter, estimate);
            var converged = Math.Abs(next - estimate) < 0.5;
            estimate = next;
            if (converged)
            {
                break;
            }
        }

        return (long)Math.Round(Math.Min(estimate, Math.Max(ceiling, counted)));
    }

    /// <summary>S(n): the expected number of the first n distinct ids that found all their bits set already.</summary>
    internal static double Missed(BloomFilter filter, double items)
    {
        if (items <= 0)
        {
            return 0;
        }

        var step = items / Intervals;
        var sum = filter.FalsePositiveRateAt(0) + filter.FalsePositiveRateAt((long)Math.Round(items));
        for (var i = 1; i < Intervals; i++)
        {
            sum += (i % 2 == 1 ? 4 : 2) * filter.FalsePositiveRateAt((long)Math.Round(i * step));
        }

        return sum * step / 3;
    }
}
