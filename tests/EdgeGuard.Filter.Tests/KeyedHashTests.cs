using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Text;
using Xunit.Abstractions;

namespace EdgeGuard.Filter.Tests;

/// <summary>
/// Pins the keyed scheme (hash algorithm 2) for the key 000102030405060708090a0b0c0d0e0f under the
/// standard layout's default sizing (m = 9,592,960, k = 7). If this fails, keyed hashing changed: every keyed snapshot and
/// every other instance would disagree about every id. Change the algorithm id and these values together.
/// </summary>
/// <remarks>
/// The values were computed outside .NET, with the reference C xxHash (XXH3_128bits_withSeed of
/// libxxhash 0.8.1 through Python's ctypes) and Python integers, and are recomputed here from
/// System.IO.Hashing and BigInteger without the filter's code.
/// </remarks>
public class KeyedHashTests(ITestOutputHelper output)
{
    private const string GoldenKey = "000102030405060708090a0b0c0d0e0f";

    public static TheoryData<string, ulong, ulong, long[]> Golden => new()
    {
        { "SKU-0000001", 0x7FABB41929E958F8UL, 0x93C6DA7E0C94284BUL, [7113208, 140867, 2761486, 5382105, 8002724, 1030383, 3651002] },
        { "A", 0x7BE4CE0BDFB2F036UL, 0x645D48E2B60C5097UL, [4445238, 9125709, 4213220, 8893691, 3981202, 8661673, 3749184] },
        { "widget-42", 0xA3A25F9E05A56E8FUL, 0x875213AA26789995UL, [4238991, 2975012, 1711033, 447054, 8776035, 7512056, 6248077] },
        { "Ünïcödé.é", 0xF815905C0FAA2196UL, 0x473A698F09FBDF3FUL, [6053398, 3005141, 9549844, 6501587, 3453330, 405073, 6949776] },
        { "", 0xA5646FCF9560C0E9UL, 0xABEAA94C88FC5209UL, [6759913, 6605682, 6451451, 6297220, 6142989, 5988758, 5834527] },
    };

    /// <summary>The scheme as ItemHash documents it, written again from its definition.</summary>
    private static (ulong H1, ulong H2, long[] Indexes) Independently(string id, string keyHex, long m = 9_592_960, int k = 7)
    {
        var key = Convert.FromHexString(keyHex);
        var k0 = BinaryPrimitives.ReadUInt64LittleEndian(key.AsSpan(0, 8));
        var k1 = BinaryPrimitives.ReadUInt64LittleEndian(key.AsSpan(8, 8));
        var hash = XxHash128.HashToUInt128(Encoding.Unicode.GetBytes(id), (long)k0);
        var h1 = (ulong)hash ^ k1;
        var h2 = ((ulong)(hash >> 64) ^ ((k1 << 32) | (k1 >> 32))) | 1;
        var indexes = Enumerable.Range(0, k).Select(i => (long)((new BigInteger(h1) + i * new BigInteger(h2)) % m)).ToArray();
        return (h1, h2, indexes);
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Keyed_hash_halves_and_bit_indexes_are_pinned(string id, ulong h1, ulong h2, long[] indexes)
    {
        var key = BloomFilterKey.Parse(GoldenKey);
        var independent = Independently(id, GoldenKey);
        Assert.Equal((h1, h2), (independent.H1, independent.H2));
        Assert.Equal(indexes, independent.Indexes);
        Assert.Equal((h1, h2), ItemHash.Compute(id, ItemHash.Keying.For(key)));
        Assert.Equal(indexes, new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterLayout.Standard, key).IndexesOf(id));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Keyed_Add_sets_exactly_the_pinned_bits(string id, ulong h1, ulong h2, long[] indexes)
    {
        _ = (h1, h2);
        var filter = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterLayout.Standard, BloomFilterKey.Parse(GoldenKey));
        Assert.True(filter.Add(id));
        Assert.Equal(indexes.Length, Math.Round(filter.FillRatio * filter.BitCount));
        Assert.All(indexes, index => Assert.True(filter.IsBitSet(index)));
        Assert.True(filter.MightContain(id));
    }

    [Theory]
    [InlineData("SKU-0000001")]
    [InlineData("a-much-longer-product-identifier-that-goes-well-beyond-the-stack-swap-limit-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789")]
    public void Keyed_big_endian_path_hashes_the_same_little_endian_bytes(string id)
    {
        var keying = ItemHash.Keying.For(BloomFilterKey.Parse(GoldenKey));
        var swapped = new string(id.Select(c => (char)BinaryPrimitives.ReverseEndianness(c)).ToArray());
        Assert.Equal(ItemHash.Compute(id, keying), ItemHash.ComputeOnBigEndianHost(swapped, keying));
        var (h1, h2, _) = Independently(id, GoldenKey);
        Assert.Equal((h1, h2), ItemHash.Compute(id, keying));
    }

    [Fact]
    public void Random_keys_match_the_independent_computation()
    {
        for (var trial = 0; trial < 50; trial++)
        {
            var key = BloomFilterKey.NewRandom();
            var filter = new BloomFilter(50_000, 0.001, BloomFilterLayout.Standard, key);
            var id = TestIds.Present(trial);
            Assert.Equal(Independently(id, key.ToHex(), filter.BitCount, filter.HashCount).Indexes, filter.IndexesOf(id));
        }
    }

    [Fact]
    public void Different_keys_map_ids_to_different_bits_and_keyed_differs_from_unkeyed()
    {
        var ids = TestIds.PresentRange(1000);
        var unkeyed = new BloomFilter();
        var a = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterKey.Parse(GoldenKey));
        var b = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterKey.NewRandom());
        foreach (var id in ids)
        {
            Assert.NotEqual(unkeyed.IndexesOf(id), a.IndexesOf(id));
            Assert.NotEqual(a.IndexesOf(id), b.IndexesOf(id));
        }

        // Not merely shifted: the positions two keys share are about as few as chance gives (k/m each).
        var shared = ids.Sum(id => a.IndexesOf(id).Intersect(b.IndexesOf(id)).Count());
        Assert.True(shared <= 1, $"{shared} positions shared");
    }

    [Fact]
    public void Every_one_of_the_128_key_bits_changes_every_ids_indexes()
    {
        // Both halves matter: K0 through XxHash128's seed, K1 through the whitening of h1 and h2.
        var key = BloomFilterKey.Parse(GoldenKey);
        var ids = TestIds.PresentRange(100);
        var baseline = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, key);
        for (var bit = 0; bit < 128; bit++)
        {
            var flipped = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterKeyTests.WithBitFlipped(key, bit));
            foreach (var id in ids)
            {
                Assert.NotEqual(baseline.IndexesOf(id), flipped.IndexesOf(id));
            }
        }
    }

    [Fact]
    public void The_key_is_exposed_on_the_filter_and_null_when_unkeyed()
    {
        var key = BloomFilterKey.NewRandom();
        Assert.Equal(key, new BloomFilter(1000, 0.01, key).Key);
        Assert.Null(new BloomFilter(1000, 0.01).Key);
        Assert.Null(new BloomFilter().Key);
    }

    [Fact]
    public void Keyed_and_unkeyed_filters_of_one_n_and_p_have_the_same_shape()
    {
        var keyed = new BloomFilter(123_456, 0.003, BloomFilterKey.NewRandom());
        var unkeyed = new BloomFilter(123_456, 0.003);
        Assert.Equal((unkeyed.BitCount, unkeyed.HashCount, unkeyed.MemoryBytes), (keyed.BitCount, keyed.HashCount, keyed.MemoryBytes));
    }

    [Fact]
    public void Keyed_span_and_string_overloads_use_the_same_bits()
    {
        var filter = new BloomFilter(1000, 0.01, BloomFilterKey.Parse(GoldenKey));
        filter.Add("/products/SKU-7".AsSpan("/products/".Length));
        Assert.True(filter.MightContain("SKU-7"));
        Assert.True(filter.MightContain("xxSKU-7yy".AsSpan(2, 5)));
        Assert.Equal(filter.IndexesOf("SKU-7"), filter.IndexesOf("aSKU-7".AsSpan(1)));
    }

    [Fact]
    public void Keyed_filter_at_capacity_has_no_false_negatives_and_about_p_false_positives()
    {
        const int n = 100_000;
        var filter = new BloomFilter(n, 0.01, BloomFilterKey.NewRandom());
        var ids = TestIds.PresentRange(n);
        foreach (var id in ids)
        {
            filter.Add(id);
        }

        Assert.Empty(ids.Where(id => !filter.MightContain(id)).Take(5));
        // 100,000 absent ids at p' = 1 %: 1,000 expected, standard deviation 31; the range is +-6 of them.
        var positives = TestIds.AbsentRange(n).Count(id => filter.MightContain(id));
        Assert.InRange(positives, 800, 1_200);
    }

    [Fact]
    public void False_positives_precomputed_from_the_public_hash_pass_a_keyed_filter_only_at_about_p()
    {
        const int n = 100_000;
        const double p = 0.01;
        const int listLength = 1_000;
        var ids = TestIds.PresentRange(n);

        // The attack: rebuild the filter offline from the public id list and keep the absent ids it lets through.
        var offline = new BloomFilter(n, p);
        foreach (var id in ids)
        {
            offline.Add(id);
        }

        var list = new List<string>(listLength);
        var tried = 0;
        while (list.Count < listLength)
        {
            var candidate = TestIds.Absent(tried++);
            if (offline.MightContain(candidate))
            {
                list.Add(candidate);
            }
        }

        // Against an unkeyed deployment the list is perfect: that filter is the offline one, bit for bit.
        var deployedUnkeyed = new BloomFilter(n, p);
        foreach (var id in ids.Reverse())
        {
            deployedUnkeyed.Add(id);
        }

        Assert.Equal(listLength, list.Count(id => deployedUnkeyed.MightContain(id)));

        // Against keyed deployments each listed id is just another absent id: it passes with probability
        // p' <= 1 %, so the count is Binomial(1000, 0.01): mean 10, standard deviation 3.1. 30 is 6.4
        // standard deviations out (probability about 1e-7), so this bound fails only if the key does not
        // decorrelate the bits from the public hash.
        foreach (var key in new[] { BloomFilterKey.Parse(GoldenKey), BloomFilterKey.NewRandom(), BloomFilterKey.NewRandom() })
        {
            var keyed = new BloomFilter(n, p, key);
            foreach (var id in ids)
            {
                keyed.Add(id);
            }

            var passed = list.Count(id => keyed.MightContain(id));
            output.WriteLine($"{tried:N0} absent ids tried to find {listLength:N0} false positives of the public hash; {passed} of them pass a keyed filter.");
            Assert.InRange(passed, 0, 30);
        }
    }
}
