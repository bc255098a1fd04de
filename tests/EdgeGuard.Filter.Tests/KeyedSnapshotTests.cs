using System.Buffers.Binary;
using System.IO.Hashing;

namespace EdgeGuard.Filter.Tests;

/// <summary>Keyed snapshots (a key in the header, format version 2 on), and reading version 1.</summary>
public class KeyedSnapshotTests
{
    /// <summary>Header of a keyed snapshot: the 46 common bytes, the 16 key bytes and the checksum.</summary>
    private const int KeyedHeaderSize = 70;

    private static readonly BloomFilterKey Key = BloomFilterKey.Parse("000102030405060708090a0b0c0d0e0f");
    private static readonly BloomFilterKey OtherKey = BloomFilterKey.Parse("f0e0d0c0b0a090807060504030201000");

    private static BloomFilter Filled(BloomFilterKey? key, long n = 10_000, int items = 8_000, BloomFilterLayout layout = BloomFilter.DefaultLayout)
    {
        var filter = key is { } k ? new BloomFilter(n, 0.01, layout, k) : new BloomFilter(n, 0.01, layout);
        foreach (var id in TestIds.PresentRange(items))
        {
            filter.Add(id);
        }

        return filter;
    }

    private static InvalidDataException Rejects(byte[] bytes, BloomFilterKey? expected = null) =>
        Assert.Throws<InvalidDataException>(() => expected is { } key
            ? BloomFilter.ReadFrom(new MemoryStream(bytes), key)
            : BloomFilter.ReadFrom(new MemoryStream(bytes)));

    /// <summary>Rewrites a keyed header's checksum.</summary>
    private static void ResealKeyed(byte[] bytes) =>
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(62), XxHash64.HashToUInt64(bytes.AsSpan(0, 62)));

    private static void AssertNamesNoKey(Exception e)
    {
        foreach (var key in new[] { Key, OtherKey })
        {
            Assert.DoesNotContain(key.ToHex()[..8], e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(key.ToHex()[^8..], e.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Keyed_round_trip_keeps_the_key_parameters_bits_and_answers()
    {
        var original = Filled(Key);
        var bytes = SnapshotTests.Snapshot(original);
        Assert.Equal(KeyedHeaderSize + original.MemoryBytes + 8, bytes.Length);
        Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4))); // format version
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6))); // keyed hash algorithm
        Assert.Equal(Convert.FromHexString(Key.ToHex()), bytes[46..62]);

        foreach (var copy in new[]
        {
            BloomFilter.ReadFrom(new MemoryStream(bytes)),
            BloomFilter.ReadFrom(new MemoryStream(bytes), Key),
            BloomFilter.ReadFrom(new MemoryStream(bytes), 10_000, 0.01, Key),
            BloomFilter.ReadFrom(new MemoryStream(bytes), 10_000, 0.01),
        })
        {
            Assert.Equal(Key, copy.Key);
            Assert.Equal((original.ExpectedItems, original.FalsePositiveRate, original.BitCount, original.HashCount, original.Count),
                (copy.ExpectedItems, copy.FalsePositiveRate, copy.BitCount, copy.HashCount, copy.Count));
            Assert.Equal(original.CopyBits(), copy.CopyBits());
            Assert.All(TestIds.PresentRange(8_000), id => Assert.True(copy.MightContain(id)));
            Assert.All(TestIds.AbsentRange(8_000), id => Assert.Equal(original.MightContain(id), copy.MightContain(id)));
            Assert.Equal(bytes, SnapshotTests.Snapshot(copy));

            // The copy keeps hashing with the key: a new id lands on the same bits as in the original.
            Assert.Equal(original.IndexesOf("NEW-1"), copy.IndexesOf("NEW-1"));
        }
    }

    [Fact]
    public void Unkeyed_round_trip_reads_back_unkeyed()
    {
        var original = Filled(key: null);
        var bytes = SnapshotTests.Snapshot(original);
        Assert.Equal(54 + original.MemoryBytes + 8, bytes.Length);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        var copy = BloomFilter.ReadFrom(new MemoryStream(bytes));
        Assert.Null(copy.Key);
        Assert.Equal(original.CopyBits(), copy.CopyBits());
    }

    [Fact]
    public void A_snapshot_with_another_key_is_rejected_naming_neither_key()
    {
        var bytes = SnapshotTests.Snapshot(Filled(Key));
        var e = Rejects(bytes, OtherKey);
        Assert.Contains("another key", e.Message);
        AssertNamesNoKey(e);
        e = Assert.Throws<InvalidDataException>(() => BloomFilter.ReadFrom(new MemoryStream(bytes), 10_000, 0.01, OtherKey));
        Assert.Contains("another key", e.Message);
    }

    [Fact]
    public void An_unkeyed_snapshot_is_rejected_when_a_key_is_expected()
    {
        var e = Rejects(SnapshotTests.Snapshot(Filled(key: null)), Key);
        Assert.Contains("unkeyed", e.Message);
        AssertNamesNoKey(e);
    }

    [Fact]
    public void The_key_is_checked_from_the_header_alone_before_the_bit_array_is_read()
    {
        var header = SnapshotTests.Snapshot(Filled(Key))[..KeyedHeaderSize];
        Assert.Contains("another key", Rejects(header, OtherKey).Message);
        Assert.Contains("truncated", Rejects(header, Key).Message);
    }

    [Fact]
    public void Expecting_the_all_zero_key_is_an_argument_error()
    {
        var bytes = SnapshotTests.Snapshot(Filled(Key));
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => BloomFilter.ReadFrom(new MemoryStream(bytes), default(BloomFilterKey))).ParamName);
    }

    [Fact]
    public void Every_flipped_bit_of_the_key_or_the_keyed_header_checksum_is_caught_by_the_checksum()
    {
        var snapshot = SnapshotTests.Snapshot(Filled(Key));
        for (var offset = 44; offset < KeyedHeaderSize; offset++) // the layout, the key and the checksum
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var bytes = (byte[])snapshot.Clone();
                bytes[offset] ^= (byte)(1 << bit);
                var e = Rejects(bytes);
                Assert.Contains("header is corrupted", e.Message);
            }
        }
    }

    [Theory]
    [InlineData(4)]  // version
    [InlineData(6)]  // hash algorithm: the checksum is then looked for in the wrong place
    [InlineData(7)]
    [InlineData(9)]  // m
    [InlineData(36)] // count
    public void A_flipped_bit_in_the_common_part_of_a_keyed_header_is_rejected(int offset)
    {
        var bytes = SnapshotTests.Snapshot(Filled(Key));
        bytes[offset] ^= 0x04;
        Assert.Contains("header is corrupted", Rejects(bytes).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(43)]                   // the version 2 common part, all but its last byte
    [InlineData(45)]                   // the common part, all but its last byte
    [InlineData(46)]                   // no key
    [InlineData(54)]                   // half the key
    [InlineData(61)]                   // all but the last key byte
    [InlineData(62)]                   // no header checksum
    [InlineData(KeyedHeaderSize - 1)]  // all but the last checksum byte
    [InlineData(KeyedHeaderSize)]      // no bit array
    [InlineData(KeyedHeaderSize + 100)]
    [InlineData(-9)]                   // the whole bit array but no checksum
    [InlineData(-1)]                   // all but the last byte of the checksum
    public void Truncated_keyed_snapshots_are_rejected_at_every_part(int length)
    {
        var bytes = SnapshotTests.Snapshot(Filled(Key));
        var cut = bytes[..(length >= 0 ? length : bytes.Length + length)];
        Assert.Contains("truncated", Rejects(cut).Message);
        Assert.Contains("truncated", Rejects(cut, Key).Message);
    }

    [Fact]
    public void A_flipped_bit_in_a_keyed_bit_array_is_rejected()
    {
        var bytes = SnapshotTests.Snapshot(Filled(Key));
        bytes[KeyedHeaderSize + 300] ^= 0x01;
        Assert.Contains("bit array is corrupted", Rejects(bytes).Message);
    }

    [Fact]
    public void A_resealed_all_zero_key_is_rejected()
    {
        var bytes = SnapshotTests.Snapshot(Filled(Key));
        bytes.AsSpan(46, 16).Clear();
        ResealKeyed(bytes);
        Assert.Contains("all-zero key", Rejects(bytes).Message);
    }

    [Fact]
    public void An_unknown_hash_algorithm_is_rejected()
    {
        var bytes = SnapshotTests.Snapshot(Filled(key: null));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), 3);
        SnapshotTests.Reseal(bytes);
        Assert.Contains("hash algorithm 3", Rejects(bytes).Message);
    }

    /// <summary>A format version 1 snapshot as the previous build wrote it, laid out by hand.</summary>
    private static byte[] Version1(BloomFilter filter, ushort algorithm = 1)
    {
        var words = filter.CopyBits();
        var bytes = new byte[52 + words.Length * 8 + 8];
        "EGBF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), algorithm);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), filter.BitCount);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), filter.HashCount);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(20), filter.ExpectedItems);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(28), filter.FalsePositiveRate);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(36), filter.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(44), XxHash64.HashToUInt64(bytes.AsSpan(0, 44)));
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(52 + i * 8), words[i]);
        }

        var payload = bytes.AsSpan(52, words.Length * 8);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(52 + payload.Length), XxHash64.HashToUInt64(payload));
        return bytes;
    }

    [Fact]
    public void Version_1_snapshots_are_still_read_as_unkeyed_standard_filters()
    {
        var original = Filled(key: null, layout: BloomFilterLayout.Standard);
        var v1 = Version1(original);
        var copy = BloomFilter.ReadFrom(new MemoryStream(v1));
        Assert.Null(copy.Key);
        Assert.Equal(BloomFilterLayout.Standard, copy.Layout);
        Assert.Equal((original.ExpectedItems, original.FalsePositiveRate, original.Count), (copy.ExpectedItems, copy.FalsePositiveRate, copy.Count));
        Assert.Equal(original.CopyBits(), copy.CopyBits());
        Assert.All(TestIds.PresentRange(8_000), id => Assert.True(copy.MightContain(id)));
        Assert.Equal(original.CopyBits(), BloomFilter.ReadFrom(new MemoryStream(v1), 10_000, 0.01).CopyBits());

        // Written again, it becomes version 3: the same header but the version, then the layout (standard),
        // a new header checksum, and the same bit array and trailer.
        var v3 = SnapshotTests.Snapshot(copy);
        Assert.Equal(v1.Length + 2, v3.Length);
        var differing = Enumerable.Range(0, 44).Where(i => v1[i] != v3[i]).ToArray();
        Assert.Equal([4], differing);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(v3.AsSpan(44)));
        Assert.Equal(v1[52..], v3[54..]);

        Assert.Contains("unkeyed", Rejects(v1, Key).Message);
    }

    [Fact]
    public void A_version_1_snapshot_claiming_keyed_hashing_is_rejected()
    {
        var v1 = Version1(Filled(key: null, layout: BloomFilterLayout.Standard), algorithm: 2);
        Assert.Contains("hash algorithm 2", Rejects(v1).Message);
    }

    [Fact]
    public void Truncated_version_1_snapshots_are_rejected()
    {
        var v1 = Version1(Filled(key: null, layout: BloomFilterLayout.Standard));
        foreach (var length in new[] { 0, 10, 44, 51, 52, v1.Length - 9, v1.Length - 1 })
        {
            Assert.Contains("truncated", Rejects(v1[..length]).Message);
        }
    }
}
