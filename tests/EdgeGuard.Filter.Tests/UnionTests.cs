namespace EdgeGuard.Filter.Tests;

public class UnionTests
{
    [Fact]
    public void Union_is_the_bitwise_or_and_contains_both_sets()
    {
        var a = new BloomFilter(20_000, 0.01);
        var b = new BloomFilter(20_000, 0.01);
        var idsA = TestIds.PresentRange(10_000);
        var idsB = TestIds.AbsentRange(10_000);
        foreach (var id in idsA)
        {
            a.Add(id);
        }

        foreach (var id in idsB)
        {
            b.Add(id);
        }

        var expected = a.CopyBits().Zip(b.CopyBits(), (x, y) => x | y).ToArray();
        var bBefore = b.CopyBits();

        a.UnionWith(b);

        Assert.Equal(expected, a.CopyBits());
        Assert.Equal(bBefore, b.CopyBits());
        Assert.All(idsA.Concat(idsB), id => Assert.True(a.MightContain(id)));
        // Count becomes the estimate from the fill: close to the 20,000 distinct ids.
        Assert.InRange(a.Count, 19_500, 20_500);
    }

    [Fact]
    public void Union_with_overlapping_items_estimates_distinct_items()
    {
        var a = new BloomFilter(20_000, 0.01);
        var b = new BloomFilter(20_000, 0.01);
        foreach (var id in TestIds.PresentRange(10_000))
        {
            a.Add(id);
            b.Add(id);
        }

        a.UnionWith(b);
        Assert.InRange(a.Count, 9_800, 10_200);
    }

    [Theory]
    [InlineData(30_000, 0.01)]  // different m, same k
    [InlineData(20_000, 0.001)] // different m and k
    public void Union_of_differently_shaped_filters_is_rejected(long n, double p)
    {
        var a = new BloomFilter(20_000, 0.01);
        var b = new BloomFilter(n, p);
        Assert.NotEqual((a.BitCount, a.HashCount), (b.BitCount, b.HashCount));
        var e = Assert.Throws<ArgumentException>(() => a.UnionWith(b));
        Assert.Equal("other", e.ParamName);
    }

    [Fact]
    public void Union_of_filters_of_different_layouts_is_rejected()
    {
        var blocked = new BloomFilter(20_000, 0.01, BloomFilterLayout.Blocked);
        var standard = new BloomFilter(20_000, 0.01, BloomFilterLayout.Standard);
        blocked.Add("x");
        var before = blocked.CopyBits();
        var e = Assert.Throws<ArgumentException>(() => blocked.UnionWith(standard));
        Assert.Equal("other", e.ParamName);
        Assert.Contains("this one is blocked, the other standard", e.Message);
        Assert.Contains("different layouts", Assert.Throws<ArgumentException>(() => standard.UnionWith(blocked)).Message);
        Assert.Equal(before, blocked.CopyBits());
    }

    [Theory]
    [InlineData(BloomFilterLayout.Standard)]
    [InlineData(BloomFilterLayout.Blocked)]
    public void Union_estimates_distinct_items_by_the_layouts_bit_probability(BloomFilterLayout layout)
    {
        // Half the ids in both, so the union holds 15,000 distinct ones, not the 20,000 adds.
        var a = new BloomFilter(20_000, 0.01, layout);
        var b = new BloomFilter(20_000, 0.01, layout);
        foreach (var id in TestIds.PresentRange(10_000))
        {
            a.Add(id);
        }

        foreach (var id in TestIds.PresentRange(15_000).Skip(5_000))
        {
            b.Add(id);
        }

        a.UnionWith(b);
        Assert.InRange(a.Count, 14_700, 15_300);
    }

    [Fact]
    public void Union_of_filters_with_different_keys_or_keyed_with_unkeyed_is_rejected_without_naming_a_key()
    {
        var keyA = BloomFilterKey.NewRandom();
        var keyB = BloomFilterKey.NewRandom();
        var keyedA = new BloomFilter(20_000, 0.01, keyA);
        var unkeyed = new BloomFilter(20_000, 0.01);
        foreach (var (target, other, says) in new[]
        {
            (keyedA, new BloomFilter(20_000, 0.01, keyB), "different keys"),
            (keyedA, unkeyed, "this one is keyed, the other unkeyed"),
            (unkeyed, keyedA, "this one is unkeyed, the other keyed"),
        })
        {
            var bitsBefore = target.CopyBits();
            var e = Assert.Throws<ArgumentException>(() => target.UnionWith(other));
            Assert.Equal("other", e.ParamName);
            Assert.Contains(says, e.Message);
            Assert.DoesNotContain(keyA.ToHex()[..8], e.Message);
            Assert.DoesNotContain(keyB.ToHex()[..8], e.Message);
            Assert.Equal(bitsBefore, target.CopyBits());
        }
    }

    [Fact]
    public void Union_of_filters_with_the_same_key_contains_both_sets()
    {
        var key = BloomFilterKey.NewRandom();
        var a = new BloomFilter(20_000, 0.01, key);
        var b = new BloomFilter(20_000, 0.01, BloomFilterKey.Parse(key.ToHex()));
        foreach (var id in TestIds.PresentRange(5_000))
        {
            a.Add(id);
        }

        foreach (var id in TestIds.AbsentRange(5_000))
        {
            b.Add(id);
        }

        a.UnionWith(b);
        Assert.All(TestIds.PresentRange(5_000).Concat(TestIds.AbsentRange(5_000)), id => Assert.True(a.MightContain(id)));
        Assert.Equal(key, a.Key);
    }

    [Fact]
    public void Union_with_null_or_itself()
    {
        var a = new BloomFilter(1000, 0.01);
        a.Add("x");
        Assert.Throws<ArgumentNullException>(() => a.UnionWith(null!));
        var before = a.CopyBits();
        a.UnionWith(a);
        Assert.Equal(before, a.CopyBits());
        Assert.Equal(1, a.Count);
    }
}
