using System.Buffers.Binary;
using System.IO.Hashing;

namespace EdgeGuard.Filter.Tests;

public class SnapshotTests
{
    /// <summary>Header of an unkeyed snapshot: the 46 common bytes and the checksum.</summary>
    private const int HeaderSize = 54;

    private static BloomFilter Filled(long n = 10_000, double p = 0.01, int items = 8_000, BloomFilterLayout layout = BloomFilter.DefaultLayout)
    {
        var filter = new BloomFilter(n, p, layout);
        foreach (var id in TestIds.PresentRange(items))
        {
            filter.Add(id);
        }

        return filter;
    }

    /// <summary>The bytes <see cref="BloomFilter.WriteTo"/> writes for <paramref name="filter"/>.</summary>
    internal static byte[] Snapshot(BloomFilter filter)
    {
        using var stream = new MemoryStream();
        filter.WriteTo(stream);
        return stream.ToArray();
    }

    private static InvalidDataException Rejects(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => BloomFilter.ReadFrom(new MemoryStream(bytes)));

    /// <summary>Rewrites an unkeyed header's checksum, so that a test reaches the check after it.</summary>
    internal static void Reseal(byte[] bytes) =>
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(46), XxHash64.HashToUInt64(bytes.AsSpan(0, 46)));

    [Theory]
    [InlineData(BloomFilterLayout.Standard)]
    [InlineData(BloomFilterLayout.Blocked)]
    public void Round_trip_keeps_layout_parameters_bits_and_answers(BloomFilterLayout layout)
    {
        var original = Filled(layout: layout);
        var bytes = Snapshot(original);
        Assert.Equal(HeaderSize + original.MemoryBytes + 8, bytes.Length);

        var copy = BloomFilter.ReadFrom(new MemoryStream(bytes));

        Assert.Equal(layout, copy.Layout);
        Assert.Equal((ushort)layout, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(44)));
        Assert.True(layout == BloomFilterLayout.Standard || copy.Bits.IsCacheLineAligned, "a blocked filter read back starts on a cache line");
        Assert.Equal(original.ExpectedItems, copy.ExpectedItems);
        Assert.Equal(original.FalsePositiveRate, copy.FalsePositiveRate);
        Assert.Equal(original.BitCount, copy.BitCount);
        Assert.Equal(original.HashCount, copy.HashCount);
        Assert.Equal(original.Count, copy.Count);
        Assert.Equal(original.CopyBits(), copy.CopyBits());
        Assert.All(TestIds.PresentRange(8_000), id => Assert.True(copy.MightContain(id)));
        Assert.All(TestIds.AbsentRange(8_000), id => Assert.Equal(original.MightContain(id), copy.MightContain(id)));
        Assert.Equal(bytes, Snapshot(copy));
    }

    [Fact]
    public void Round_trip_across_several_chunks_keeps_the_one_shot_checksum()
    {
        // 100,000 items at 1 % in the standard layout: 14,989 words, one full chunk of 8,192 and a partial one.
        var original = Filled(n: 100_000, items: 100_000, layout: BloomFilterLayout.Standard);
        var bytes = Snapshot(original);
        Assert.Equal(14_989, original.MemoryBytes / 8);
        var payload = bytes.AsSpan(HeaderSize, (int)original.MemoryBytes);
        Assert.Equal(XxHash64.HashToUInt64(payload), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8)));
        Assert.Equal(original.CopyBits(), BloomFilter.ReadFrom(new MemoryStream(bytes)).CopyBits());
    }

    [Fact]
    public void Round_trip_of_the_default_size_and_a_reader_that_checks_parameters()
    {
        var original = new BloomFilter();
        original.Add("SKU-1");
        var bytes = Snapshot(original);

        var copy = BloomFilter.ReadFrom(new MemoryStream(bytes), BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate);
        Assert.True(copy.MightContain("SKU-1"));

        var e = Assert.Throws<InvalidDataException>(() => BloomFilter.ReadFrom(new MemoryStream(bytes), 2_000_000, 0.01));
        Assert.Contains("built for n = 1000000", e.Message);
        Assert.Throws<InvalidDataException>(() => BloomFilter.ReadFrom(new MemoryStream(bytes), 1_000_000, 0.001));
    }

    [Fact]
    public void Snapshots_read_back_to_back_from_one_stream_without_over_reading()
    {
        var a = Filled(items: 100);
        var b = Filled(n: 500, p: 0.05, items: 10);
        using var stream = new MemoryStream();
        a.WriteTo(stream);
        b.WriteTo(stream);
        stream.WriteByte(0xAB);
        stream.Position = 0;

        Assert.Equal(a.CopyBits(), BloomFilter.ReadFrom(stream).CopyBits());
        Assert.Equal(b.CopyBits(), BloomFilter.ReadFrom(stream).CopyBits());
        Assert.Equal(0xAB, stream.ReadByte());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(HeaderSize - 1)]
    [InlineData(HeaderSize)]
    [InlineData(HeaderSize + 100)]
    [InlineData(-9)] // the whole bit array but no checksum
    [InlineData(-1)] // all but the last byte of the checksum
    public void Truncated_snapshots_are_rejected(int length)
    {
        var bytes = Snapshot(Filled());
        var cut = bytes[..(length >= 0 ? length : bytes.Length + length)];
        Assert.Contains("truncated", Rejects(cut).Message);
    }

    [Theory]
    [InlineData(HeaderSize)]
    [InlineData(HeaderSize + 600)]
    [InlineData(-9)] // last byte of the bit array
    public void A_flipped_bit_in_the_bit_array_is_rejected(int offset)
    {
        var bytes = Snapshot(Filled());
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x10;
        Assert.Contains("bit array is corrupted", Rejects(bytes).Message);
    }

    [Fact]
    public void A_corrupted_payload_checksum_is_rejected()
    {
        var bytes = Snapshot(Filled());
        bytes[^3] ^= 0x01;
        Assert.Contains("bit array is corrupted", Rejects(bytes).Message);
    }

    [Theory]
    [InlineData(4)]  // version
    [InlineData(6)]  // hash algorithm
    [InlineData(9)]  // m
    [InlineData(16)] // k
    [InlineData(21)] // n
    [InlineData(33)] // p
    [InlineData(36)] // count
    [InlineData(44)] // layout
    [InlineData(46)] // the header checksum itself
    public void A_flipped_bit_in_the_header_is_rejected(int offset)
    {
        var bytes = Snapshot(Filled());
        bytes[offset] ^= 0x04;
        Assert.Contains("header is corrupted", Rejects(bytes).Message);
    }

    [Fact]
    public void Wrong_magic_is_rejected()
    {
        var bytes = Snapshot(Filled());
        bytes[0] = (byte)'X';
        Assert.Contains("magic", Rejects(bytes).Message);
        Assert.Contains("magic", Rejects(new byte[200]).Message);
    }

    [Fact]
    public void Another_format_version_is_rejected()
    {
        var bytes = Snapshot(Filled());
        Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 4);
        Reseal(bytes);
        Assert.Contains("format version 4", Rejects(bytes).Message);
    }

    [Fact]
    public void Another_hash_algorithm_is_rejected()
    {
        var bytes = Snapshot(Filled());
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), 7);
        Reseal(bytes);
        Assert.Contains("hash algorithm 7", Rejects(bytes).Message);
    }

    [Theory]
    [InlineData(BloomFilterLayout.Standard, 8, 64L)]    // m one word larger
    [InlineData(BloomFilterLayout.Standard, 16, 1L)]    // k one larger
    [InlineData(BloomFilterLayout.Standard, 20, 1L)]    // n one larger: sizes differently
    [InlineData(BloomFilterLayout.Blocked, 8, 512L)]    // m one block larger
    [InlineData(BloomFilterLayout.Blocked, 8, 64L)]     // m not a whole number of blocks
    [InlineData(BloomFilterLayout.Blocked, 16, 1L)]     // k one larger
    [InlineData(BloomFilterLayout.Blocked, 20, 1000L)]  // n 10 % larger: sizes differently
    public void Parameters_that_do_not_size_to_the_stored_m_and_k_are_rejected(BloomFilterLayout layout, int offset, long delta)
    {
        var bytes = Snapshot(Filled(layout: layout));
        if (offset == 16)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)) + (int)delta);
        }
        else
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset)) + delta);
        }

        Reseal(bytes);
        Assert.Contains("inconsistent", Rejects(bytes).Message);
    }

    [Fact]
    public void An_unknown_layout_is_rejected()
    {
        var bytes = Snapshot(Filled());
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(44), 7);
        Reseal(bytes);
        Assert.Contains("layout 7", Rejects(bytes).Message);
    }

    [Theory]
    [InlineData(BloomFilterLayout.Blocked, BloomFilterLayout.Standard)]
    [InlineData(BloomFilterLayout.Standard, BloomFilterLayout.Blocked)]
    public void A_layout_that_does_not_size_to_the_stored_m_and_k_is_rejected(BloomFilterLayout written, BloomFilterLayout claimed)
    {
        var bytes = Snapshot(Filled(layout: written));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(44), (ushort)claimed);
        Reseal(bytes);
        Assert.Contains("inconsistent", Rejects(bytes).Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public void Invalid_parameters_are_rejected(double p)
    {
        var bytes = Snapshot(Filled());
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(28), p);
        Reseal(bytes);
        Assert.Contains("invalid parameters", Rejects(bytes).Message);
    }

    [Fact]
    public void A_huge_n_in_a_resealed_header_is_rejected_before_allocating()
    {
        var bytes = Snapshot(Filled());
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(20), long.MaxValue / 2);
        Reseal(bytes);
        Assert.Contains("invalid parameters", Rejects(bytes).Message);
    }

    [Fact]
    public void A_negative_count_is_rejected()
    {
        var bytes = Snapshot(Filled());
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(36), -5);
        Reseal(bytes);
        Assert.Contains("negative item count", Rejects(bytes).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_snapshot_taken_while_adds_run_is_still_valid(bool keyed)
    {
        var filter = keyed ? new BloomFilter(200_000, 0.01, BloomFilterKey.NewRandom()) : new BloomFilter(200_000, 0.01);
        var adding = Task.Run(() =>
        {
            foreach (var id in TestIds.PresentRange(200_000))
            {
                filter.Add(id);
            }
        });
        var snapshots = new List<byte[]>();
        while (!adding.IsCompleted)
        {
            snapshots.Add(Snapshot(filter));
        }

        await adding;
        snapshots.Add(Snapshot(filter));
        Assert.All(snapshots, bytes => BloomFilter.ReadFrom(new MemoryStream(bytes)));
        Assert.Equal(filter.CopyBits(), BloomFilter.ReadFrom(new MemoryStream(snapshots[^1])).CopyBits());
    }
}
