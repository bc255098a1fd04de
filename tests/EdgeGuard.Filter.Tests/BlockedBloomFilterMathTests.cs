namespace EdgeGuard.Filter.Tests;

/// <summary>
/// The blocked layout's formulas. Expected values were computed independently in Python (double precision):
/// the distribution of distinct bits hit by t uniform draws from 512, one draw at a time; F_k(j) = E[(X/512)^k]
/// at t = kj; p' = sum over j of the Poisson(n/z) weight (from lgamma) times F_k(j); sizing as the smallest z
/// with p' &lt;= 0.98 p for every k from 1 to 16, keeping the fewest blocks and then the smallest k.
/// </summary>
public class BlockedBloomFilterMathTests
{
    [Theory]
    [InlineData(6, 1, 2.5398607284583364e-12)]
    [InlineData(6, 51, 0.008408666280891918)]
    [InlineData(6, 100, 0.10912966104881408)]
    [InlineData(3, 100, 0.08754142862656164)]
    [InlineData(12, 40, 0.0026760442306629434)]
    [InlineData(1, 7, 0.013592026619022202)]
    public void Per_block_probability_matches_the_independent_computation(int k, int j, double expected)
    {
        Assert.Equal(expected, BlockOccupancy.For(k).AllSet(j), expected * 1e-12);
    }

    [Fact]
    public void Per_block_probability_is_zero_for_an_empty_block_and_at_least_the_textbook_shortcut()
    {
        foreach (var k in new[] { 1, 2, 6, 8, 9, 16 })
        {
            var occupancy = BlockOccupancy.For(k);
            Assert.Equal(0, occupancy.AllSet(0));
            var previous = 0.0;
            for (var j = 1; j < 300; j++)
            {
                var exact = occupancy.AllSet(j);
                // Jensen: E[(X/B)^k] >= (E[X]/B)^k, with equality for k = 1.
                Assert.True(exact >= occupancy.Shortcut(j) * (1 - 1e-12), $"k = {k}, j = {j}");
                Assert.True(exact >= previous, "more items never clear a bit");
                previous = exact;
            }
        }

        // Past the exact table the shortcut takes over; at the seam they agree closely.
        var six = BlockOccupancy.For(6);
        var seam = BlockOccupancy.SaturatedDraws / 6;
        Assert.Equal(six.AllSet(seam), six.AllSet(seam + 1), 1e-6);
    }

    [Theory]
    [InlineData(1_000_000L, 9_966_592L, 6, 0.009799699281837734)] // the defaults' size: 19,466 blocks
    [InlineData(1_000_000L, 9_966_080L, 6, 0.009801784622907114)] // one block fewer: above 0.98 %
    public void False_positive_rate_matches_the_independent_computation(long n, long m, int k, double expected)
    {
        Assert.Equal(expected, BlockedBloomFilterMath.FalsePositiveRate(n, m, k), expected * 1e-9);
    }

    [Fact]
    public void False_positive_rate_is_zero_when_empty_rises_with_items_and_exceeds_the_standard_layouts()
    {
        Assert.Equal(0, BlockedBloomFilterMath.FalsePositiveRate(0, 9_966_592, 6));
        var previous = 0.0;
        foreach (var n in new long[] { 1, 1_000, 100_000, 500_000, 1_000_000, 2_000_000, 10_000_000 })
        {
            var rate = BlockedBloomFilterMath.FalsePositiveRate(n, 9_966_592, 6);
            Assert.True(rate > previous);
            previous = rate;

            // Up to well past capacity, uneven block loads cost more than the standard layout's spread bits
            // (10x over capacity, with blocks nearly full, it turns around).
            Assert.True(n > 2_000_000 || rate >= BloomFilterMath.FalsePositiveRate(n, 9_966_592, 6), $"n = {n}: blocks are unevenly loaded");
        }

        // Hopelessly overfull: every bit of every block set.
        Assert.Equal(1.0, BlockedBloomFilterMath.FalsePositiveRate(1_000_000_000, 512, 4));
    }

    [Theory]
    [InlineData(1_000_000L, 0.01, 9_966_592L, 6)]
    [InlineData(1_000L, 0.01, 10_240L, 5)]     // 20 blocks; k = 5, 6 and 7 all need 20: the smallest k
    [InlineData(1_000L, 0.001, 15_872L, 8)]    // 31 blocks, tied with k = 9 and 10
    [InlineData(500L, 0.1, 2_560L, 3)]         // 5 blocks
    [InlineData(123_456L, 0.003, 1_582_080L, 8)] // 3,090 blocks; k = 9 needs 3,106, k = 7 3,108
    [InlineData(100_000L, 0.0001, 2_209_280L, 12)] // 4,315 blocks; k = 11 needs 4,323, k = 13 4,330
    public void Sizing_matches_independently_computed_values(long n, double p, long bits, int k)
    {
        Assert.Equal(new BloomFilterSize(bits, k), BlockedBloomFilterMath.Size(n, p));
        var filter = new BloomFilter(n, p, BloomFilterLayout.Blocked);
        Assert.Equal((bits, k, bits / 8), (filter.BitCount, filter.HashCount, filter.MemoryBytes));
    }

    [Theory]
    [InlineData(1_000_000L, 0.01)]
    [InlineData(10_000_000L, 0.01)]
    [InlineData(100_000L, 0.0001)]
    [InlineData(123_456L, 0.003)]
    [InlineData(1L, 0.5)]
    [InlineData(1L, 0.99)]
    [InlineData(10L, 0.9)]
    [InlineData(7L, 1e-12)]
    [InlineData(1_000_000L, 0.3)]
    [InlineData(1_000_000L, 0.999999)]
    public void Size_is_the_fewest_blocks_meeting_the_target_with_some_margin(long n, double p)
    {
        var size = BlockedBloomFilterMath.Size(n, p);
        Assert.Equal(0, size.BitCount % 512);
        Assert.InRange(size.HashCount, 1, BlockedBloomFilterMath.MaxHashCount);
        var target = BlockedBloomFilterMath.SizingTargetShare * p;
        Assert.True(BlockedBloomFilterMath.FalsePositiveRate(n, size.BitCount, size.HashCount) <= target);
        for (var k = 1; k <= BlockedBloomFilterMath.MaxHashCount; k++)
        {
            // No k meets the target with fewer blocks (the search tries the k that can).
            Assert.True(size.BitCount == 512 || BlockedBloomFilterMath.FalsePositiveRate(n, size.BitCount - 512, k) > target, $"k = {k} meets it with one block fewer");
        }

        var filter = new BloomFilter(n, p, BloomFilterLayout.Blocked);
        Assert.True(filter.ActualFalsePositiveRate <= p);
    }

    [Fact]
    public void The_blocked_layout_costs_a_few_percent_more_memory_at_one_percent()
    {
        var blocked = new BloomFilter(1_000_000, 0.01, BloomFilterLayout.Blocked);
        var standard = new BloomFilter(1_000_000, 0.01, BloomFilterLayout.Standard);
        Assert.Equal(1_245_824, blocked.MemoryBytes);
        Assert.Equal(1_199_120, standard.MemoryBytes);
        Assert.InRange((double)blocked.MemoryBytes / standard.MemoryBytes, 1.03, 1.05);
        Assert.Equal(0.009799699281837734, blocked.ActualFalsePositiveRate, 1e-12);
    }

    [Theory]
    [InlineData(0L, 0.01)]
    [InlineData(-1L, 0.01)]
    [InlineData(long.MaxValue, 0.01)]
    public void Invalid_expected_items_are_rejected_naming_the_argument(long n, double p)
    {
        Assert.Equal("expectedItems", Assert.Throws<ArgumentOutOfRangeException>(() => BlockedBloomFilterMath.Size(n, p)).ParamName);
        Assert.Equal("expectedItems", Assert.Throws<ArgumentOutOfRangeException>(() => new BloomFilter(n, p, BloomFilterLayout.Blocked)).ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Invalid_false_positive_rates_are_rejected_naming_the_argument(double p)
    {
        Assert.Equal("falsePositiveRate", Assert.Throws<ArgumentOutOfRangeException>(() => new BloomFilter(1000, p, BloomFilterLayout.Blocked)).ParamName);
    }

    [Theory]
    [InlineData(0L, 6, "bitCount")]
    [InlineData(576L, 6, "bitCount")]   // not a whole number of blocks
    [InlineData(512L, 0, "hashCount")]
    [InlineData(512L, 17, "hashCount")]
    public void Invalid_shapes_are_rejected_naming_the_argument(long m, int k, string name)
    {
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => BlockedBloomFilterMath.FalsePositiveRate(10, m, k)).ParamName);
    }

    [Fact]
    public void An_undefined_layout_is_rejected_naming_the_argument()
    {
        Assert.Equal("layout", Assert.Throws<ArgumentOutOfRangeException>(() => new BloomFilter(1000, 0.01, (BloomFilterLayout)7)).ParamName);
    }
}
