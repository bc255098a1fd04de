namespace EdgeGuard.Filter.Tests;

/// <summary>
/// Pins which bits fixed ids map to in each layout, so that a change that moves bits (and would make every
/// snapshot and every other instance disagree about every id) fails here. Change the values only on purpose,
/// with a new snapshot format or hash algorithm id.
/// </summary>
/// <remarks>
/// The blocked indexes were computed in Python from the hash halves pinned in GoldenHashTests and
/// KeyedHashTests (themselves checked against the reference xxHash): block = (h1 * 0x9E3779B97F4A7C15 mod 2^64)
/// * z >> 64, x = (h2 XOR h2 >> 32) mod 2^32, index_i = 512 * block + ((x * M_i mod 2^32) >> 23).
/// The array fingerprints (XxHash64 of the words after adding 10,000 ids) were taken from this build; the
/// standard one is also what the build before layouts existed (commit ba08059) gives for its snapshot's payload.
/// </remarks>
public class LayoutGoldenTests
{
    private const string GoldenKey = "000102030405060708090a0b0c0d0e0f";

    public static TheoryData<string?, string, long[]> BlockedDefaults => new()
    {
        // The defaults (n = 1,000,000, p = 0.01): z = 19,466 blocks, k = 6.
        { null, "SKU-0000001", [7060492, 7060672, 7060939, 7060935, 7060516, 7060949] },
        { null, "A", [714882, 715163, 714931, 715178, 714820, 714930] },
        { null, "widget-42", [717914, 717863, 717835, 718215, 717882, 718014] },
        { null, "Ünïcödé.é", [5989090, 5989302, 5988963, 5989228, 5988895, 5989067] },
        { null, "", [711459, 711655, 711418, 711291, 711334, 711634] },
        { GoldenKey, "SKU-0000001", [9396210, 9395759, 9395903, 9396045, 9395968, 9396149] },
        { GoldenKey, "A", [6089929, 6090083, 6089966, 6090113, 6089774, 6089920] },
    };

    [Theory]
    [MemberData(nameof(BlockedDefaults))]
    public void Blocked_indexes_of_the_defaults_are_pinned(string? key, string id, long[] indexes)
    {
        var filter = key is null
            ? new BloomFilter(1_000_000, 0.01, BloomFilterLayout.Blocked)
            : new BloomFilter(1_000_000, 0.01, BloomFilterLayout.Blocked, BloomFilterKey.Parse(key));
        Assert.Equal((9_966_592, 6), (filter.BitCount, filter.HashCount));
        Assert.Equal(indexes, filter.IndexesOf(id));

        Assert.True(filter.Add(id));
        Assert.Equal(indexes.Distinct().Count(), Math.Round(filter.FillRatio * filter.BitCount));
        Assert.All(indexes, index => Assert.True(filter.IsBitSet(index)));
    }

    [Fact]
    public void Blocked_indexes_with_two_rounds_of_positions_are_pinned()
    {
        // n = 100,000, p = 0.0001: z = 4,315 blocks, k = 12 (positions 8 to 11 come from the second round).
        var filter = new BloomFilter(100_000, 0.0001, BloomFilterLayout.Blocked);
        Assert.Equal((4_315 * 512L, 12), (filter.BitCount, filter.HashCount));
        Assert.Equal(
            [1564684, 1564864, 1565131, 1565127, 1564708, 1565141, 1564891, 1565021, 1565157, 1564728, 1565162, 1564839],
            filter.IndexesOf("SKU-0000001"));
    }

    [Theory]
    [InlineData(BloomFilterLayout.Standard, 14441564601521290032UL)] // also what the build before layouts gives
    [InlineData(BloomFilterLayout.Blocked, 15828148629215359800UL)]
    public void The_bit_array_after_fixed_keyed_ids_is_pinned(BloomFilterLayout layout, ulong fingerprint)
    {
        var filter = new BloomFilter(20_000, 0.01, layout, BloomFilterKey.Parse(GoldenKey));
        foreach (var id in TestIds.PresentRange(10_000))
        {
            filter.Add(id);
        }

        Assert.Equal(fingerprint, BlockedLayoutTests.Fingerprint(filter));
    }

    /// <summary>
    /// A version 2 snapshot written by the build before layouts existed (commit ba08059): a keyed filter,
    /// n = 20, p = 0.01, of the ids SKU-0000000 to SKU-0000019.
    /// </summary>
    private const string VersionTwoSnapshot =
        "4547424602000200C0000000000000000700000014000000000000007B14AE47E17A843F1400000000000000" +
        "000102030405060708090A0B0C0D0E0FED538A4A31A45C1519489F32768C31667CE4C55E9A3457878643EA4E" +
        "8FB9BAFEC9C64E59824D5252";

    [Fact]
    public void A_version_2_snapshot_of_the_previous_build_is_read_as_a_standard_filter()
    {
        var bytes = Convert.FromHexString(VersionTwoSnapshot);
        var key = BloomFilterKey.Parse(GoldenKey);
        var read = BloomFilter.ReadFrom(new MemoryStream(bytes), 20, 0.01, key);

        Assert.Equal(BloomFilterLayout.Standard, read.Layout);
        Assert.Equal((20, 0.01, 192L, 7, 20L), (read.ExpectedItems, read.FalsePositiveRate, read.BitCount, read.HashCount, read.Count));
        Assert.Equal(key, read.Key);
        Assert.All(TestIds.PresentRange(20), id => Assert.True(read.MightContain(id)));

        // The standard layout still sets exactly those bits for those ids.
        var rebuilt = new BloomFilter(20, 0.01, BloomFilterLayout.Standard, key);
        foreach (var id in TestIds.PresentRange(20))
        {
            rebuilt.Add(id);
        }

        Assert.Equal(rebuilt.CopyBits(), read.CopyBits());

        // Written again, it is a version 3 snapshot of the standard layout with the same bits.
        var again = SnapshotTests.Snapshot(read);
        Assert.Equal(3, again[4]);
        Assert.Equal((byte)BloomFilterLayout.Standard, again[44]);
        Assert.Equal(bytes[(68 + 24)..], again[(70 + 24)..]); // the payload checksum
        Assert.Equal(rebuilt.CopyBits(), BloomFilter.ReadFrom(new MemoryStream(again)).CopyBits());
    }
}
