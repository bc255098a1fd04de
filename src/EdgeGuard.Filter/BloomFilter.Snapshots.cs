namespace EdgeGuard.Filter;

public sealed partial class BloomFilter
{
    /// <summary>
    /// Writes a versioned, checksummed snapshot (format in <see cref="BloomFilterSnapshot"/>). A keyed
    /// filter's snapshot carries its key: store it as carefully as the key itself.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var count = Count;
        BloomFilterSnapshot.Write(stream, new BloomFilterSnapshot.Header(ExpectedItems, FalsePositiveRate, Layout, BitCount, HashCount, count, Key), _bits);
    }

    /// <summary>
    /// Reads a snapshot written by <see cref="WriteTo"/> (format version 1, 2 or 3; versions 1 and 2 are of the
    /// standard layout). Returns a new filter of the snapshot's layout, keyed with the snapshot's key if it has
    /// one, only if all of the snapshot is valid.
    /// </summary>
    /// <exception cref="InvalidDataException">The snapshot is truncated, corrupted, of another format or hashing, or internally inconsistent.</exception>
    public static BloomFilter ReadFrom(Stream stream) => Read(stream, new BloomFilterSnapshot.Expected());

    /// <summary>As <see cref="ReadFrom(Stream)"/>, also rejecting a snapshot sized for other parameters than the caller's.</summary>
    /// <exception cref="InvalidDataException">As <see cref="ReadFrom(Stream)"/>, or the snapshot was built for another n or p.</exception>
    public static BloomFilter ReadFrom(Stream stream, long expectedItems, double falsePositiveRate) =>
        Read(stream, new BloomFilterSnapshot.Expected(ValidParameters(expectedItems, falsePositiveRate)));

    /// <summary>
    /// As <see cref="ReadFrom(Stream)"/>, also rejecting a snapshot that is not keyed with
    /// <paramref name="key"/>: one built with another key, or an unkeyed one. A deployment whose key
    /// changed rebuilds its filter from its sources instead.
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="ReadFrom(Stream)"/>, or the snapshot is not keyed with <paramref name="key"/> (the message names neither key).</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is the all-zero key.</exception>
    public static BloomFilter ReadFrom(Stream stream, BloomFilterKey key) =>
        Read(stream, new BloomFilterSnapshot.Expected(Key: RequireKey(key)));

    /// <summary>As <see cref="ReadFrom(Stream, BloomFilterKey)"/> and <see cref="ReadFrom(Stream, long, double)"/> together: the caller's n, p and key.</summary>
    /// <exception cref="InvalidDataException">As <see cref="ReadFrom(Stream)"/>, or the snapshot was built for another n, p or key.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is the all-zero key.</exception>
    public static BloomFilter ReadFrom(Stream stream, long expectedItems, double falsePositiveRate, BloomFilterKey key) =>
        Read(stream, new BloomFilterSnapshot.Expected(ValidParameters(expectedItems, falsePositiveRate), RequireKey(key)));

    private static (long, double) ValidParameters(long expectedItems, double falsePositiveRate)
    {
        BloomFilterMath.ValidateExpectedItems(expectedItems);
        BloomFilterMath.ValidateFalsePositiveRate(falsePositiveRate);
        return (expectedItems, falsePositiveRate);
    }

    private static BloomFilter Read(Stream stream, BloomFilterSnapshot.Expected expected)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (header, bits) = BloomFilterSnapshot.Read(stream, expected);
        return new BloomFilter(header.ExpectedItems, header.FalsePositiveRate, header.Layout,
            new BloomFilterSize(header.BitCount, header.HashCount), header.Key, bits, header.Count);
    }
}
