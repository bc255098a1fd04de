namespace EdgeGuard.Filter.Tests;

/// <summary>One filter of the defaults' size (n = 1,000,000, p = 0.01) filled with 1,000,000 ids, shared by a layout's capacity tests.</summary>
public abstract class CapacityFixture
{
    public const int Items = 1_000_000;

    protected CapacityFixture(BloomFilterLayout layout)
    {
        Filter = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, layout);
        Present = TestIds.PresentRange(Items);
        foreach (var id in Present)
        {
            Filter.Add(id);
        }
    }

    public BloomFilter Filter { get; }

    public string[] Present { get; }
}

public sealed class StandardCapacityFixture() : CapacityFixture(BloomFilterLayout.Standard);

public sealed class BlockedCapacityFixture() : CapacityFixture(BloomFilterLayout.Blocked);

public abstract class CapacityTests(CapacityFixture fixture)
{
    [Fact]
    public void Every_added_id_is_found()
    {
        var missing = fixture.Present.Where(id => !fixture.Filter.MightContain(id)).Take(5).ToArray();
        Assert.Empty(missing);
    }

    [Fact]
    public void Empirical_false_positive_rate_at_capacity_is_about_one_percent()
    {
        Assert.InRange(MeasuredFalsePositiveRate(fixture.Filter), 0.008, 0.012);
    }

    [Fact]
    public void Early_exit_and_branch_free_reads_agree()
    {
        var filter = fixture.Filter;
        for (var i = 0; i < 100_000; i++)
        {
            var present = fixture.Present[i];
            var absent = TestIds.Absent(i);
            Assert.True(filter.MightContainEarlyExit(present));
            Assert.Equal(filter.MightContain(absent), filter.MightContainEarlyExit(absent));
        }
    }

    /// <summary>The share of 1,000,000 absent ids the filter lets through.</summary>
    internal static double MeasuredFalsePositiveRate(BloomFilter filter)
    {
        var positives = 0;
        for (var i = 0; i < CapacityFixture.Items; i++)
        {
            if (filter.MightContain(TestIds.Absent(i)))
            {
                positives++;
            }
        }

        return (double)positives / CapacityFixture.Items;
    }
}

public sealed class StandardCapacityTests(StandardCapacityFixture fixture) : CapacityTests(fixture), IClassFixture<StandardCapacityFixture>
{
    [Fact]
    public void Statistics_at_capacity_agree_with_the_formulas()
    {
        var filter = fixture.Filter;
        // Ids whose k bits were all set already (about p' of the late ones) are not counted.
        Assert.InRange(filter.Count, 995_000, 1_000_000);
        Assert.InRange(filter.EstimatedFalsePositiveRate, 0.0095, filter.ActualFalsePositiveRate);
        // Expected fill: 1 - e^(-k n / m) = 1 - e^(-7e6 / 9,592,960) = 51.8 %.
        Assert.Equal(1 - Math.Exp(-7e6 / 9_592_960), filter.FillRatio, 0.002);
    }
}

public sealed class BlockedCapacityTests(BlockedCapacityFixture fixture) : CapacityTests(fixture), IClassFixture<BlockedCapacityFixture>
{
    [Fact]
    public void Statistics_at_capacity_agree_with_the_formulas()
    {
        var filter = fixture.Filter;
        Assert.InRange(filter.Count, 995_000, 1_000_000);
        Assert.InRange(filter.EstimatedFalsePositiveRate, 0.97 * filter.ActualFalsePositiveRate, filter.ActualFalsePositiveRate);
        // Expected fill 1 - (1 - q)^n, q = (1 - (1 - 1/512)^6) / 19,466 blocks: 1 - e^(-1e6 q) = 45.0 %
        // (lower than the standard layout's: six bits per id here, seven there).
        var q = (1 - Math.Pow(1 - 1 / 512.0, 6)) / 19_466;
        Assert.Equal(1 - Math.Pow(1 - q, 1e6), filter.FillRatio, 0.002);
    }

    [Fact]
    public void Measured_false_positive_rate_at_capacity_is_under_the_target_and_near_the_formula()
    {
        // 1,000,000 absent ids: the measured rate has a standard deviation of about 0.01 % (1 % of it).
        var filter = fixture.Filter;
        var measured = MeasuredFalsePositiveRate(filter);
        Assert.True(measured <= filter.FalsePositiveRate, $"measured {measured:P4} > p");
        Assert.InRange(measured, 0.96 * filter.ActualFalsePositiveRate, 1.04 * filter.ActualFalsePositiveRate);
    }
}
