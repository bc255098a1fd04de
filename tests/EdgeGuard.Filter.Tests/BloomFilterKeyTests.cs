namespace EdgeGuard.Filter.Tests;

public class BloomFilterKeyTests
{
    private const string Hex = "000102030405060708090a0b0c0d0e0f";

    [Theory]
    [InlineData(Hex)]
    [InlineData("000102030405060708090A0B0C0D0E0F")]
    [InlineData("000102030405060708090a0B0c0D0e0F")]
    public void Parse_reads_32_hex_digits_in_either_case_byte_0_first(string hex)
    {
        var key = BloomFilterKey.Parse(hex);
        Assert.Equal(Hex, key.ToHex());
        Assert.Equal(0x0706050403020100UL, key.First);
        Assert.Equal(0x0F0E0D0C0B0A0908UL, key.Second);
        Assert.True(BloomFilterKey.TryParse(hex, out var parsed));
        Assert.Equal(key, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("000102030405060708090a0b0c0d0e0")]   // 31 digits
    [InlineData("000102030405060708090a0b0c0d0e0f0")] // 33 digits
    [InlineData("000102030405060708090a0b0c0d0e0g")]  // a non-hex character
    [InlineData(" 00102030405060708090a0b0c0d0e0f")]  // whitespace inside the 32
    [InlineData("000102030405060708090a0b0c0d0e0f\n")]
    [InlineData("0x0102030405060708090a0b0c0d0e0f")]
    [InlineData("00010203-0405-0607-0809-0a0b0c0d0e0f")]
    public void Anything_but_32_hex_digits_is_rejected_without_echoing_the_input(string hex)
    {
        var e = Assert.Throws<FormatException>(() => BloomFilterKey.Parse(hex));
        Assert.Contains("32 hexadecimal digits", e.Message);
        if (hex.Trim().Length >= 6)
        {
            Assert.DoesNotContain(hex.Trim()[2..8], e.Message);
        }

        Assert.False(BloomFilterKey.TryParse(hex, out var key));
        Assert.Equal(default, key);
    }

    [Fact]
    public void The_all_zero_key_is_rejected_as_it_equals_the_public_hashing()
    {
        var e = Assert.Throws<FormatException>(() => BloomFilterKey.Parse(new string('0', 32)));
        Assert.Contains("all zeros", e.Message);
        Assert.False(BloomFilterKey.TryParse(new string('0', 32), out _));
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => new BloomFilter(1000, 0.01, default(BloomFilterKey))).ParamName);
    }

    [Fact]
    public void Null_is_an_argument_error_for_Parse_and_false_for_TryParse()
    {
        Assert.Throws<ArgumentNullException>(() => BloomFilterKey.Parse(null!));
        Assert.False(BloomFilterKey.TryParse(null, out _));
    }

    [Fact]
    public void ToString_never_prints_the_key_nor_does_the_filter_holding_it()
    {
        var key = BloomFilterKey.Parse(Hex);
        Assert.Equal("BloomFilterKey(****)", key.ToString());
        Assert.Equal("BloomFilterKey(****)", $"{key}");
        var filter = new BloomFilter(1000, 0.01, key);
        Assert.DoesNotContain("0a0b", filter.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("keyed", filter.ToString());
        Assert.Contains("unkeyed", new BloomFilter(1000, 0.01).ToString());
    }

    [Fact]
    public void NewRandom_gives_distinct_nonzero_keys_that_round_trip_through_hex()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => BloomFilterKey.NewRandom()).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.All(keys, key =>
        {
            Assert.False(key.IsZero);
            Assert.Equal(32, key.ToHex().Length);
            Assert.Equal(key, BloomFilterKey.Parse(key.ToHex()));
        });
    }

    [Fact]
    public void Equality_compares_all_128_bits()
    {
        var key = BloomFilterKey.Parse(Hex);
        var same = BloomFilterKey.Parse(Hex.ToUpperInvariant());
        Assert.True(key == same);
        Assert.False(key != same);
        Assert.True(key.Equals((object)same));
        Assert.Equal(key.GetHashCode(), same.GetHashCode());
        Assert.False(key.Equals("000102030405060708090a0b0c0d0e0f"));

        for (var bit = 0; bit < 128; bit++)
        {
            var other = WithBitFlipped(key, bit);
            Assert.True(key != other, $"bit {bit}");
            Assert.False(key.Equals(other));
        }
    }

    /// <summary>The key with one of its 128 bits flipped: bits 0..63 are <see cref="BloomFilterKey.First"/>, 64..127 <see cref="BloomFilterKey.Second"/>.</summary>
    internal static BloomFilterKey WithBitFlipped(BloomFilterKey key, int bit)
    {
        Span<byte> bytes = stackalloc byte[BloomFilterKey.SizeInBytes];
        key.WriteBytes(bytes);
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        return BloomFilterKey.FromBytes(bytes);
    }
}
