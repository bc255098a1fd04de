namespace EdgeGuard.Filter.Tests;

/// <summary>
/// Pins exactly which bits fixed ids map to in the standard layout's default sizing (m = 9,592,960, k = 7).
/// If this fails, the hashing changed: snapshots and other instances would disagree about every id. Change
/// ItemHash.UnkeyedAlgorithmId and these values together, on purpose. (Keyed hashing: KeyedHashTests; the
/// blocked layout: BlockedGoldenTests.)
/// </summary>
/// <remarks>
/// The indexes were cross-checked outside .NET: (h1 + i*h2) mod 9592960 in Python gives the same lists.
/// </remarks>
public class GoldenHashTests
{
    public static TheoryData<string, ulong, ulong, long[]> Golden => new()
    {
        { "SKU-0000001", 0x2D8F21FB221A75F1UL, 0x00FB9E3E5DCB92FDUL, [4755825, 2645486, 535147, 8017768, 5907429, 3797090, 1686751] },
        { "A", 0xEEE6702BF1711E5BUL, 0x9933C98BAD44CAEDUL, [1254363, 2938312, 4622261, 6306210, 7990159, 81148, 1765097] },
        { "widget-42", 0x7053967ADE76BCD5UL, 0x26125BA5BEC94367UL, [3071573, 7104956, 1545379, 5578762, 19185, 4052568, 8085951] },
        { "Ünïcödé.é", 0xCFCA6E060C6F2AE6UL, 0x8D7383678F038357UL, [7563110, 4468669, 1374228, 7872747, 4778306, 1683865, 8182384] },
        { "", 0x6001C324468D497FUL, 0x99AA06D3014798D9UL, [4974719, 9364440, 4161201, 8550922, 3347683, 7737404, 2534165] },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Hash_halves_are_pinned(string id, ulong h1, ulong h2, long[] indexes)
    {
        _ = indexes;
        Assert.Equal((h1, h2), ItemHash.Compute(id));
        Assert.Equal(1UL, h2 & 1); // forced odd
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Bit_indexes_are_pinned(string id, ulong h1, ulong h2, long[] indexes)
    {
        _ = (h1, h2);
        var filter = Standard();
        Assert.Equal(indexes, filter.IndexesOf(id));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Add_sets_exactly_the_pinned_bits_and_MightContain_reads_exactly_them(string id, ulong h1, ulong h2, long[] indexes)
    {
        _ = (h1, h2);
        var added = Standard();
        Assert.True(added.Add(id));
        Assert.Equal(indexes.Length, Math.Round(added.FillRatio * added.BitCount));
        Assert.All(indexes, index => Assert.True(added.IsBitSet(index)));

        // Setting all pinned bits but one must not satisfy MightContain; setting the last one must.
        foreach (var left in indexes)
        {
            var partial = Standard();
            foreach (var index in indexes.Where(i => i != left))
            {
                partial.SetBit(index);
            }

            Assert.False(partial.MightContain(id));
            Assert.False(partial.MightContainEarlyExit(id));
            partial.SetBit(left);
            Assert.True(partial.MightContain(id));
            Assert.True(partial.MightContainEarlyExit(id));
        }
    }

    internal static BloomFilter Standard() =>
        new(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterLayout.Standard);

    [Theory]
    [InlineData("SKU-0000001")]
    [InlineData("Ünïcödé.é")]
    [InlineData("a-much-longer-product-identifier-that-goes-well-beyond-the-stack-swap-limit-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789")]
    public void Big_endian_path_hashes_the_same_little_endian_bytes(string id)
    {
        // The big-endian path byte-swaps each char before hashing. Fed chars that are already swapped,
        // it must hash exactly the bytes the little-endian fast path hashes.
        var swapped = new string(id.Select(c => (char)System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(c)).ToArray());
        Assert.Equal(ItemHash.Compute(id), ItemHash.ComputeOnBigEndianHost(swapped));
    }
}
