using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace EdgeGuard.Filter.Tests;

/// <summary>The blocked layout: one cache line per id, the AVX2 and scalar paths, and the layout choice.</summary>
public class BlockedLayoutTests
{
    private static readonly BloomFilterKey Key = BloomFilterKey.Parse("000102030405060708090a0b0c0d0e0f");

    [Fact]
    public void The_default_layout_is_blocked_and_every_constructor_takes_a_layout()
    {
        Assert.Equal(BloomFilterLayout.Blocked, BloomFilter.DefaultLayout);
        Assert.Equal(BloomFilterLayout.Blocked, new BloomFilter().Layout);
        Assert.Equal(BloomFilterLayout.Blocked, new BloomFilter(1000, 0.01).Layout);
        Assert.Equal(BloomFilterLayout.Blocked, new BloomFilter(1000, 0.01, Key).Layout);
        var standard = new BloomFilter(1000, 0.01, BloomFilterLayout.Standard, Key);
        Assert.Equal((BloomFilterLayout.Standard, Key), (standard.Layout, standard.Key));
        Assert.Equal(BloomFilterLayout.Standard, new BloomFilter(1000, 0.01, BloomFilterLayout.Standard).Layout);
        Assert.Contains("blocked", new BloomFilter(1000, 0.01).ToString());
    }

    [Fact]
    public void Every_id_lies_in_one_aligned_cache_line()
    {
        foreach (var n in new long[] { 1, 100, 10_000, 1_000_000 })
        {
            var filter = new BloomFilter(n, 0.01, BloomFilterLayout.Blocked, Key);
            Assert.True(filter.Bits.IsCacheLineAligned, $"n = {n}");
            foreach (var id in TestIds.PresentRange(1000))
            {
                var indexes = filter.IndexesOf(id);
                Assert.Equal(filter.HashCount, indexes.Length);
                Assert.Single(indexes.Select(index => index / 512).Distinct());
            }
        }
    }

    [Fact]
    public void The_position_multipliers_are_SplitMix64_from_seed_0()
    {
        ulong state = 0;
        for (var i = 0; i < BlockedBloomFilterMath.MaxHashCount; i++)
        {
            state += 0x9E3779B97F4A7C15;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            z ^= z >> 31;
            Assert.Equal((uint)(z >> 32) | 1, BlockedBits.Multipliers[i]);
        }
    }

    /// <summary>Both paths on one machine: the test means something only where AVX2 exists, which it reports.</summary>
    [Fact]
    public void This_machine_runs_the_AVX2_path_where_the_CPU_has_it()
    {
        var filter = new BloomFilter(1000, 0.01, BloomFilterLayout.Blocked);
        Assert.Equal(Avx2.IsSupported, filter.UsesAvx2);
        filter.UsesAvx2 = false;
        Assert.False(filter.UsesAvx2);
        Assert.False(new BloomFilter(1000, 0.01, BloomFilterLayout.Standard).UsesAvx2);
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.True(Avx2.IsSupported, "x64 CI and development machines have AVX2; without it the vector path goes untested");
        }
    }

    [Theory]
    [InlineData(100_000L, 0.01)]    // k = 6: one round of eight lanes, two idle
    [InlineData(100_000L, 0.0001)]  // k = 12: two rounds
    [InlineData(100_000L, 0.3)]     // k = 2
    [InlineData(10_000L, 1e-7)]     // k = 16: two full rounds
    public void Vector_and_scalar_paths_set_the_same_bits_and_give_the_same_answers(long n, double p)
    {
        // Filled to three times capacity, so that many absent ids read true and both answers get compared.
        var vector = new BloomFilter(n, p, BloomFilterLayout.Blocked, Key);
        var scalar = new BloomFilter(n, p, BloomFilterLayout.Blocked, Key) { UsesAvx2 = false };
        var present = TestIds.PresentRange(3 * (int)n);
        var vectorChanged = present.Select(vector.Add).ToArray();
        var scalarChanged = present.Select(scalar.Add).ToArray();

        Assert.Equal(scalarChanged, vectorChanged);
        Assert.Equal(scalar.Count, vector.Count);
        Assert.Equal(scalar.CopyBits(), vector.CopyBits());

        // Each path reads the other's bits, and a filter switched between the paths answers alike.
        var absent = TestIds.AbsentRange(100_000);
        var positives = 0;
        foreach (var id in absent)
        {
            var answer = vector.MightContain(id);
            Assert.Equal(answer, scalar.MightContain(id));
            positives += answer ? 1 : 0;
        }

        Assert.InRange(positives, 50, absent.Length - 50); // both answers occur often
        scalar.UsesAvx2 = true;
        vector.UsesAvx2 = false;
        Assert.All(present, id => Assert.True(vector.MightContain(id)));
        Assert.Equal(absent.Select(vector.MightContain), absent.Select(scalar.MightContain));
    }

    [Fact]
    public void Vector_and_scalar_masks_agree_for_every_k()
    {
        var random = new Random(23);
        Span<ulong> scalar = stackalloc ulong[8];
        for (var k = 1; k <= BlockedBloomFilterMath.MaxHashCount; k++)
        {
            var blocks = new BlockedBits(new LockFreeBitArray(512 * 4, cacheLineAligned: true), k);
            for (var trial = 0; trial < 2_000; trial++)
            {
                var fingerprint = (uint)random.NextInt64();
                blocks.MaskScalar(fingerprint, scalar);
                var expectedBits = Enumerable.Range(0, k).Select(i => BlockedBits.Position(fingerprint, i)).Distinct().Count();
                Assert.Equal(expectedBits, scalar.ToArray().Sum(word => System.Numerics.BitOperations.PopCount(word)));
                if (Avx2.IsSupported)
                {
                    var (low, high) = blocks.MaskAvx2(fingerprint);
                    Assert.Equal(scalar.ToArray(), new[] { low[0], low[1], low[2], low[3], high[0], high[1], high[2], high[3] });
                }
            }
        }
    }

    [Fact]
    public void A_lookup_needs_every_one_of_its_bits_on_both_paths()
    {
        // For each id: all its bits but one set must read false, the last one set true (as the standard
        // layout's golden test), on the vector and the scalar path.
        foreach (var id in new[] { "SKU-0000001", "A", "widget-42", "" })
        {
            var indexes = new BloomFilter(1_000_000, 0.0001, BloomFilterLayout.Blocked, Key).IndexesOf(id).Distinct().ToArray();
            foreach (var left in indexes)
            {
                foreach (var avx2 in new[] { true, false })
                {
                    var partial = new BloomFilter(1_000_000, 0.0001, BloomFilterLayout.Blocked, Key) { UsesAvx2 = avx2 };
                    foreach (var index in indexes.Where(i => i != left))
                    {
                        partial.SetBit(index);
                    }

                    Assert.False(partial.MightContain(id));
                    partial.SetBit(left);
                    Assert.True(partial.MightContain(id));
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    public void No_false_negative_at_any_size(int n)
    {
        foreach (var layout in new[] { BloomFilterLayout.Blocked, BloomFilterLayout.Standard })
        {
            var filter = new BloomFilter(n, 0.01, layout, Key);
            var ids = TestIds.PresentRange(n);
            foreach (var id in ids)
            {
                filter.Add(id);
            }

            Assert.Empty(ids.Where(id => !filter.MightContain(id)).Take(5));
            if (layout == BloomFilterLayout.Blocked)
            {
                filter.UsesAvx2 = !filter.UsesAvx2;
                Assert.Empty(ids.Where(id => !filter.MightContain(id)).Take(5));
            }
        }
    }

    [Fact]
    public void Statistics_use_the_blocked_formula()
    {
        var filter = new BloomFilter(10_000, 0.01, BloomFilterLayout.Blocked, Key);
        foreach (var id in TestIds.PresentRange(10_000))
        {
            filter.Add(id);
        }

        Assert.Equal(BlockedBloomFilterMath.FalsePositiveRate(10_000, filter.BitCount, filter.HashCount), filter.ActualFalsePositiveRate);
        Assert.Equal(BlockedBloomFilterMath.FalsePositiveRate(filter.Count, filter.BitCount, filter.HashCount), filter.EstimatedFalsePositiveRate);
        Assert.Equal(BlockedBloomFilterMath.FalsePositiveRate(1234, filter.BitCount, filter.HashCount), filter.FalsePositiveRateAt(1234));
        Assert.NotEqual(BloomFilterMath.FalsePositiveRate(10_000, filter.BitCount, filter.HashCount), filter.ActualFalsePositiveRate);
    }

    [Fact]
    public void XxHash64_of_the_array_is_reproducible_across_builds_orders_and_paths()
    {
        var ids = TestIds.PresentRange(5_000);
        var forward = new BloomFilter(5_000, 0.01, BloomFilterLayout.Blocked, Key);
        var backward = new BloomFilter(5_000, 0.01, BloomFilterLayout.Blocked, Key) { UsesAvx2 = false };
        foreach (var id in ids)
        {
            forward.Add(id);
        }

        foreach (var id in ids.Reverse())
        {
            backward.Add(id);
        }

        Assert.Equal(Fingerprint(forward), Fingerprint(backward));
    }

    internal static ulong Fingerprint(BloomFilter filter) =>
        XxHash64.HashToUInt64(MemoryMarshal.AsBytes(filter.CopyBits().AsSpan()));
}
