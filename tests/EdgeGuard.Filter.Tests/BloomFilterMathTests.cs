namespace EdgeGuard.Filter.Tests;

public class BloomFilterMathTests
{
    // Expected values computed independently (Python, math.log/exp in double precision):
    // textbook m = ceil(-n ln p / ln(2)^2), k = round(m/n ln 2), then the smallest multiple of 64 bits
    // with (1 - e^(-k n / m))^k <= p.
    public static TheoryData<long, double, long, int, long> Sizes => new()
    {
        { 1_000_000, 0.01, 9_585_059, 7, 9_592_960 },
        { 1_000, 0.001, 14_378, 10, 14_400 },
        { 10_000_000, 0.05, 62_352_243, 4, 62_469_824 },
        { 500, 0.1, 2_397, 3, 2_432 },
        { 123_456, 0.0001, 2_366_666, 13, 2_367_040 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Sizing_matches_independently_computed_values(long n, double p, long textbookBits, int k, long bits)
    {
        Assert.Equal(textbookBits, BloomFilterMath.OptimalBitCount(n, p));
        Assert.Equal(k, BloomFilterMath.OptimalHashCount(n, textbookBits));
        Assert.Equal(new BloomFilterSize(bits, k), BloomFilterMath.Size(n, p));

        var filter = new BloomFilter(n, p, BloomFilterLayout.Standard);
        Assert.Equal(bits, filter.BitCount);
        Assert.Equal(k, filter.HashCount);
        Assert.Equal(bits / 8, filter.MemoryBytes);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Bit_count_is_the_smallest_whole_number_of_words_meeting_the_target(long n, double p, long textbookBits, int k, long bits)
    {
        _ = textbookBits;
        Assert.Equal(0, bits % 64);
        Assert.True(BloomFilterMath.FalsePositiveRate(n, bits, k) <= p);
        Assert.True(BloomFilterMath.FalsePositiveRate(n, bits - 64, k) > p, "one word fewer would already meet the target");
        Assert.True(new BloomFilter(n, p, BloomFilterLayout.Standard).ActualFalsePositiveRate <= p);
    }

    [Fact]
    public void Defaults_need_the_word_rounding_because_the_textbook_size_misses_one_percent()
    {
        Assert.Equal(0.010039214559253868, BloomFilterMath.FalsePositiveRate(1_000_000, 9_585_059, 7), 1e-15);
        Assert.Equal(0.009999973819792472, BloomFilterMath.FalsePositiveRate(1_000_000, 9_592_960, 7), 1e-15);

        var filter = GoldenHashTests.Standard();
        Assert.Equal(1_000_000, filter.ExpectedItems);
        Assert.Equal(0.01, filter.FalsePositiveRate);
        Assert.Equal(9_592_960, filter.BitCount);
        Assert.Equal(7, filter.HashCount);
        Assert.Equal(0.009999973819792472, filter.ActualFalsePositiveRate, 1e-15);
        Assert.Equal(1_199_120, filter.MemoryBytes);
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(1, 0.99)]
    [InlineData(10, 0.9)]
    [InlineData(1_000_000, 0.999999)]
    [InlineData(7, 1e-12)]
    [InlineData(1_000_000, 0.3)]
    public void Unusual_but_valid_parameters_still_meet_the_target(long n, double p)
    {
        var size = BloomFilterMath.Size(n, p);
        Assert.True(size.BitCount >= 64);
        Assert.Equal(0, size.BitCount % 64);
        Assert.True(BloomFilterMath.FalsePositiveRate(n, size.BitCount, size.HashCount) <= p);
        if (size.BitCount > 64)
        {
            Assert.True(BloomFilterMath.FalsePositiveRate(n, size.BitCount - 64, size.HashCount) > p);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)] // needs more bits than one array can hold
    public void Invalid_expected_items_are_rejected_naming_the_argument(long n)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BloomFilter(n, 0.01));
        Assert.Equal("expectedItems", e.ParamName);
        Assert.Contains("expectedItems", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Invalid_false_positive_rates_are_rejected_naming_the_argument(double p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BloomFilter(1000, p));
        Assert.Equal("falsePositiveRate", e.ParamName);
        Assert.Contains("falsePositiveRate", e.Message);
    }

    [Fact]
    public void False_positive_rate_is_zero_when_empty_and_rises_with_items()
    {
        Assert.Equal(0, BloomFilterMath.FalsePositiveRate(0, 9_592_960, 7));
        var atHalf = BloomFilterMath.FalsePositiveRate(500_000, 9_592_960, 7);
        var atFull = BloomFilterMath.FalsePositiveRate(1_000_000, 9_592_960, 7);
        Assert.InRange(atHalf, 0.00001, atFull);
        // (1 - e^(-7 * 500,000 / 9,592,960))^7, computed independently in Python.
        Assert.Equal(0.0002494976057941388, atHalf, 1e-17);
    }
}
