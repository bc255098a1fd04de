namespace EdgeGuard.Filter;

/// <summary>
/// A Bloom filter of strings: answers "definitely never added" or "might have been added" in constant
/// time and about 9.6 bits per item at a 1 % false-positive rate. EdgeGuard builds one from every
/// product id so that requests for ids that cannot exist are refused before they reach the catalog.
/// </summary>
/// <remarks>
/// <para>Sizing: see <see cref="BloomFilterMath"/>; m is grown to whole 64-bit words until the
/// false-positive rate at <see cref="ExpectedItems"/> is at most the target.</para>
/// <para>Hashing: one XxHash128 of the item's UTF-16 code units, split into h1 and h2 (see
/// <see cref="ItemHash"/>), probed by double hashing (see <see cref="ProbeSequence"/>). Unkeyed, the
/// hash is public; keyed with a secret <see cref="BloomFilterKey"/>, nobody without the key can tell
/// which absent ids the filter lets through.</para>
/// <para>Thread safety: every member may be called from any number of threads at once, without locks.
/// Once <see cref="Add(string)"/> has returned, every later <see cref="MightContain(string)"/> for that
/// item, on any thread, returns true. Statistics read while adds run are approximate.</para>
/// </remarks>
public sealed class BloomFilter
{
    /// <summary>The gateway's default: sized for a catalog of one million product ids.</summary>
    public const long DefaultExpectedItems = 1_000_000;

    /// <summary>The gateway's default target: at most 1 in 100 absent ids gets through to the cache.</summary>
    public const double DefaultFalsePositiveRate = 0.01;

    private readonly LockFreeBitArray _bits;
    private readonly ulong _bitCount;
    private readonly ItemHash.Keying _keying;
    private long _count;

    /// <summary>
    /// Creates an empty, unkeyed filter sized for <paramref name="expectedItems"/> at
    /// <paramref name="falsePositiveRate"/>. Its hash is public (hash algorithm 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="expectedItems"/> is not positive or needs more bits than one array holds, or
    /// <paramref name="falsePositiveRate"/> is not strictly between 0 and 1 (NaN included).
    /// </exception>
    public BloomFilter(long expectedItems = DefaultExpectedItems, double falsePositiveRate = DefaultFalsePositiveRate)
        : this(expectedItems, falsePositiveRate, BloomFilterMath.Size(expectedItems, falsePositiveRate), key: null, bits: null, count: 0)
    {
    }

    /// <summary>
    /// Creates an empty filter whose hashing is keyed with <paramref name="key"/> (hash algorithm 2): the
    /// same size and speed as an unkeyed one, but which bits an id maps to cannot be computed without the key.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As the unkeyed constructor.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is the all-zero <c>default(BloomFilterKey)</c>.</exception>
    public BloomFilter(long expectedItems, double falsePositiveRate, BloomFilterKey key)
        : this(expectedItems, falsePositiveRate, BloomFilterMath.Size(expectedItems, falsePositiveRate), RequireKey(key), bits: null, count: 0)
    {
    }

    private BloomFilter(long expectedItems, double falsePositiveRate, BloomFilterSize size, BloomFilterKey? key, LockFreeBitArray? bits, long count)
    {
        ExpectedItems = expectedItems;
        FalsePositiveRate = falsePositiveRate;
        HashCount = size.HashCount;
        Key = key;
        _keying = ItemHash.Keying.For(key);
        _bits = bits ?? new LockFreeBitArray(size.BitCount);
        _bitCount = (ulong)size.BitCount;
        _count = count;
    }

    private static BloomFilterKey RequireKey(BloomFilterKey key) =>
        key.IsZero
            ? throw new ArgumentException("The all-zero key is default(BloomFilterKey), a key that was never set; keyed hashing with it would equal the public hashing.", nameof(key))
            : key;

    /// <summary>n: the number of items the filter was sized for.</summary>
    public long ExpectedItems { get; }

    /// <summary>p: the target false-positive rate at <see cref="ExpectedItems"/>.</summary>
    public double FalsePositiveRate { get; }

    /// <summary>m: the number of bits in use (a multiple of 64).</summary>
    public long BitCount => (long)_bitCount;

    /// <summary>k: the number of bits probed per item.</summary>
    public int HashCount { get; }

    /// <summary>The secret key the hashing is keyed with; null for an unkeyed filter. <see cref="BloomFilterKey.ToString"/> does not print it.</summary>
    public BloomFilterKey? Key { get; }

    /// <summary>p' = (1 - e^(-k n / m))^k at n = <see cref="ExpectedItems"/> with the m and k in use; never above p.</summary>
    public double ActualFalsePositiveRate => BloomFilterMath.FalsePositiveRate(ExpectedItems, BitCount, HashCount);

    /// <summary>
    /// Items added so far, counted as the <see cref="Add(string)"/> calls that set at least one new bit.
    /// Adding an item twice counts once; an item whose k bits were all set already (a false positive at
    /// insertion, about p of the time near capacity) is not counted, so this may fall slightly short of
    /// the number of distinct items. After <see cref="UnionWith"/> it is estimated from the fill.
    /// </summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The same formula as <see cref="ActualFalsePositiveRate"/> evaluated at <see cref="Count"/>.</summary>
    public double EstimatedFalsePositiveRate => BloomFilterMath.FalsePositiveRate(Count, BitCount, HashCount);

    /// <summary>Fraction of bits set, counted on demand (O(m / 64), about 50 µs for the defaults).</summary>
    public double FillRatio => (double)_bits.PopCount() / BitCount;

    /// <summary>Bytes held by the bit array: m / 8 (1,199,120 for the defaults).</summary>
    public long MemoryBytes => (long)_bits.WordCount * sizeof(long);

    /// <summary>Adds an item. True when it set at least one new bit, i.e. the item was certainly new.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    public bool Add(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Add(item.AsSpan());
    }

    /// <summary>Adds the item spelled by <paramref name="item"/>; the same bits as the string overload.</summary>
    public bool Add(ReadOnlySpan<char> item)
    {
        var changed = _bits.SetAll(Probe(item), HashCount);
        if (changed)
        {
            Interlocked.Increment(ref _count);
        }

        return changed;
    }

    /// <summary>False when <paramref name="item"/> was certainly never added; true when it might have been.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    public bool MightContain(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return _bits.AreAllSet(Probe(item), HashCount);
    }

    /// <summary>As <see cref="MightContain(string)"/> for a span (e.g. a slice of a request path), without allocating.</summary>
    public bool MightContain(ReadOnlySpan<char> item) => _bits.AreAllSet(Probe(item), HashCount);

    /// <summary>The early-exit variant, for the benchmark that justifies <see cref="LockFreeBitArray.AreAllSet"/>.</summary>
    internal bool MightContainEarlyExit(ReadOnlySpan<char> item) => _bits.AreAllSetEarlyExit(Probe(item), HashCount);

    /// <summary>The k bit indexes of <paramref name="item"/>, in probe order.</summary>
    internal long[] IndexesOf(ReadOnlySpan<char> item)
    {
        var (h1, h2) = ItemHash.Compute(item, _keying);
        return ProbeSequence.Indexes(h1, h2, BitCount, HashCount);
    }

    internal bool IsBitSet(long index) => _bits.IsSet(index);

    internal long[] CopyBits() => _bits.CopyWords();

    internal void SetBit(long index) => _bits.Set(index);

    /// <summary>
    /// ORs every bit of <paramref name="other"/> into this filter, which then answers true for every item
    /// of both. <see cref="Count"/> becomes the estimate -(m/k) ln(1 - X/m) from the X bits set, since
    /// the two filters' items may overlap.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The filters differ in m or k, or in hashing (one keyed and one not, or two keys): their bits do not
    /// mean the same thing. The message never contains a key.
    /// </exception>
    public void UnionWith(BloomFilter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.BitCount != BitCount || other.HashCount != HashCount)
        {
            throw new ArgumentException(
                $"Cannot union filters of different shapes: this one has m = {BitCount}, k = {HashCount}; the other m = {other.BitCount}, k = {other.HashCount}.",
                nameof(other));
        }

        if (other.Key != Key)
        {
            throw new ArgumentException(
                Key is null || other.Key is null
                    ? $"Cannot union filters hashed differently: this one is {(Key is null ? "unkeyed" : "keyed")}, the other {(other.Key is null ? "unkeyed" : "keyed")}."
                    : "Cannot union filters hashed with different keys.",
                nameof(other));
        }

        if (ReferenceEquals(other, this))
        {
            return;
        }

        _bits.UnionWith(other._bits);
        Interlocked.Exchange(ref _count, EstimateItemCount(_bits.PopCount()));
    }

    /// <summary>Distinct items that would leave <paramref name="setBits"/> bits set: n* = -(m/k) ln(1 - X/m).</summary>
    private long EstimateItemCount(long setBits)
    {
        if (setBits >= BitCount)
        {
            return long.MaxValue;
        }

        return (long)Math.Round(-(double)BitCount / HashCount * Math.Log(1 - (double)setBits / BitCount));
    }

    /// <summary>
    /// Writes a versioned, checksummed snapshot (format in <see cref="BloomFilterSnapshot"/>). A keyed
    /// filter's snapshot carries its key: store it as carefully as the key itself.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var count = Count;
        BloomFilterSnapshot.Write(stream, new BloomFilterSnapshot.Header(ExpectedItems, FalsePositiveRate, BitCount, HashCount, count, Key), _bits);
    }

    /// <summary>
    /// Reads a snapshot written by <see cref="WriteTo"/> (format version 1 or 2). Returns a new filter,
    /// keyed with the snapshot's key if it has one, only if all of the snapshot is valid.
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
        var (header, words) = BloomFilterSnapshot.Read(stream, expected);
        return new BloomFilter(header.ExpectedItems, header.FalsePositiveRate,
            new BloomFilterSize(header.BitCount, header.HashCount), header.Key, new LockFreeBitArray(words), header.Count);
    }

    public override string ToString() =>
        $"BloomFilter(n = {ExpectedItems}, p = {FalsePositiveRate}, m = {BitCount}, k = {HashCount}, count = {Count}, {(Key is null ? "unkeyed" : "keyed")})";

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private ProbeSequence Probe(ReadOnlySpan<char> item)
    {
        var (h1, h2) = ItemHash.Compute(item, _keying);
        return new ProbeSequence(h1, h2, _bitCount);
    }
}
