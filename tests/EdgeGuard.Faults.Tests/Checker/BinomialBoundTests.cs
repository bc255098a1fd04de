using EdgeGuard.Faults.Checker.Checks;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class BinomialBoundTests
{
    /// <summary>Values computed exactly, with rational arithmetic (Python's fractions over math.comb), outside this code.</summary>
    [Theory]
    [InlineData(1000, 0.01, 1e-6, 28)]
    [InlineData(3000, 0.01, 1e-6, 59)]
    [InlineData(100, 0.05, 0.001, 13)]
    [InlineData(10, 0.5, 0.05, 8)]
    public void Upper_limit_matches_the_exact_tail(int trials, double rate, double significance, int expected) =>
        Assert.Equal(expected, BinomialBound.UpperLimit(trials, rate, significance));

    [Fact]
    public void Edges()
    {
        Assert.Equal(0, BinomialBound.UpperLimit(0, 0.01, 1e-6));
        Assert.Equal(0, BinomialBound.UpperLimit(1000, 0, 1e-6));
        Assert.Equal(1000, BinomialBound.UpperLimit(1000, 1, 1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinomialBound.UpperLimit(10, 1.5, 1e-6));
    }

    [Fact]
    public void Large_counts_do_not_underflow()
    {
        // n = 200,000 at 1 %: mean 2,000, standard deviation 44.5; the bound sits about five deviations above.
        var bound = BinomialBound.UpperLimit(200_000, 0.01, 1e-6);
        Assert.InRange(bound, 2_180, 2_240);
    }
}
