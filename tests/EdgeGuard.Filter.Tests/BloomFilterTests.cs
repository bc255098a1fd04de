namespace EdgeGuard.Filter.Tests;

public class BloomFilterTests
{
    [Fact]
    public void Empty_filter_contains_nothing_and_reports_zero()
    {
        var filter = new BloomFilter(1000, 0.01);
        Assert.False(filter.MightContain("SKU-1"));
        Assert.Equal(0, filter.Count);
        Assert.Equal(0, filter.FillRatio);
        Assert.Equal(0, filter.EstimatedFalsePositiveRate);
    }

    [Fact]
    public void Add_reports_whether_the_item_set_new_bits_and_Count_counts_those_adds()
    {
        var filter = new BloomFilter(1000, 0.01);
        Assert.True(filter.Add("SKU-1"));
        Assert.False(filter.Add("SKU-1"));
        Assert.True(filter.Add("SKU-2"));
        Assert.Equal(2, filter.Count);
        Assert.True(filter.MightContain("SKU-1"));
        Assert.True(filter.MightContain("SKU-2"));
    }

    [Fact]
    public void Span_and_string_overloads_use_the_same_bits()
    {
        var filter = new BloomFilter(1000, 0.01);
        filter.Add("/products/SKU-7".AsSpan("/products/".Length));
        Assert.True(filter.MightContain("SKU-7"));
        Assert.True(filter.MightContain("xxSKU-7yy".AsSpan(2, 5)));

        var ids = TestIds.AbsentRange(2000);
        Assert.All(ids, id => Assert.Equal(filter.MightContain(id), filter.MightContain(id.AsSpan())));
        Assert.Equal(filter.IndexesOf("SKU-7"), filter.IndexesOf("aSKU-7".AsSpan(1)));
    }

    [Fact]
    public void Null_items_are_rejected_naming_the_argument()
    {
        var filter = new BloomFilter(1000, 0.01);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => filter.Add((string)null!)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => filter.MightContain((string)null!)).ParamName);
    }

    [Theory]
    [InlineData(BloomFilterLayout.Standard)]
    [InlineData(BloomFilterLayout.Blocked)]
    public void Statistics_track_the_items_added(BloomFilterLayout layout)
    {
        var filter = new BloomFilter(10_000, 0.01, layout);
        var ids = TestIds.PresentRange(5_000);
        foreach (var id in ids)
        {
            filter.Add(id);
        }

        // A few ids may find all their bits set already and are then not counted (see Count).
        Assert.InRange(filter.Count, 4_990, 5_000);
        Assert.Equal(layout == BloomFilterLayout.Standard
            ? BloomFilterMath.FalsePositiveRate(filter.Count, filter.BitCount, filter.HashCount)
            : BlockedBloomFilterMath.FalsePositiveRate(filter.Count, filter.BitCount, filter.HashCount), filter.EstimatedFalsePositiveRate);
        Assert.True(filter.EstimatedFalsePositiveRate < filter.ActualFalsePositiveRate);

        // Expected fill after n items, about 29 % at half capacity: standard 1 - e^(-k n / m); blocked
        // 1 - (1 - q)^n, where q = (1 - (1 - 1/512)^k) / z is the chance that one item sets a given bit.
        var blocks = filter.BitCount / 512.0;
        var expectedFill = layout == BloomFilterLayout.Standard
            ? 1 - Math.Exp(-(double)filter.HashCount * 5_000 / filter.BitCount)
            : 1 - Math.Pow(1 - (1 - Math.Pow(1 - 1 / 512.0, filter.HashCount)) / blocks, 5_000);
        Assert.Equal(expectedFill, filter.FillRatio, 0.01);
        var setBits = Enumerable.Range(0, (int)filter.BitCount).Count(i => filter.IsBitSet(i));
        Assert.Equal((double)setBits / filter.BitCount, filter.FillRatio);
    }

    [Theory]
    [InlineData(BloomFilterLayout.Standard)]
    [InlineData(BloomFilterLayout.Blocked)]
    public void Filters_built_separately_from_the_same_ids_have_identical_bits(BloomFilterLayout layout)
    {
        // The hash is deterministic across instances (never string.GetHashCode, which is randomized).
        var a = new BloomFilter(1000, 0.01, layout);
        var b = new BloomFilter(1000, 0.01, layout);
        foreach (var id in TestIds.PresentRange(500))
        {
            a.Add(id);
        }

        foreach (var id in TestIds.PresentRange(500).Reverse())
        {
            b.Add(id);
        }

        Assert.Equal(a.CopyBits(), b.CopyBits());
    }
}
