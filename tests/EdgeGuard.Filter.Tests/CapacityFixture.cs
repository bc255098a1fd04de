namespace EdgeGuard.Filter.Tests;

/// <summary>One default filter (n = 1,000,000, p = 0.01) filled with 1,000,000 ids, shared by the capacity tests.</summary>
public sealed class CapacityFixture
{
    public const int Items = 1_000_000;

    public CapacityFixture()
    {
        Filter = new BloomFilter();
        Present = TestIds.PresentRange(Items);
        foreach (var id in Present)
        {
            Filter.Add(id);
        }
    }

    public BloomFilter Filter { get; }

    public string[] Present { get; }
}

public class CapacityTests(CapacityFixture fixture) : IClassFixture<CapacityFixture>
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
        var positives = 0;
        for (var i = 0; i < CapacityFixture.Items; i++)
        {
            if (fixture.Filter.MightContain(TestIds.Absent(i)))
            {
                positives++;
            }
        }

        var rate = (double)positives / CapacityFixture.Items;
        Assert.InRange(rate, 0.008, 0.012);
    }

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
}
