namespace EdgeGuard.Filter;

/// <summary>
/// A Bloom filter of strings: answers "definitely never added" or "might have been added" in constant
/// time and about 10 bits per item at a 1 % false-positive rate. EdgeGuard builds one from every
/// product id so that requests for ids that cannot exist are refused before they reach the catalog.
/// </summary>
/// <remarks>
/// <para>Layout (<see cref="BloomFilterLayout"/>): <see cref="BloomFilterLayout.Blocked"/> by default, all
/// of an item's bits in one 64-byte cache line, so a lookup costs one memory access however large the
/// filter, for about 4 % more memory at p = 1 %; or <see cref="BloomFilterLayout.Standard"/>, the classic
/// filter, k memory accesses per lookup.</para>
/// <para>Sizing: see <see cref="BloomFilterMath"/> (standard: m grown to whole 64-bit words) and
/// <see cref="BlockedBloomFilterMath"/> (blocked: whole 512-bit blocks), each until its false-positive
/// rate at <see cref="ExpectedItems"/> is at most the target.</para>
/// <para>Hashing: one XxHash128 of the item's UTF-16 code units, split into h1 and h2 (see
/// <see cref="ItemHash"/>); the standard layout probes by double hashing (see <see cref="ProbeSequence"/>),
/// the blocked one picks a block from h1 and positions in it from h2 (see <see cref="BlockedBits"/>).
/// Unkeyed, the hash is public; keyed with a secret <see cref="BloomFilterKey"/>, nobody without the key
/// can tell which absent ids the filter lets through.</para>
/// <para>Thread safety: every member may be called from any number of threads at once, without locks.
/// Once <see cref="Add(string)"/> has returned, every later <see cref="MightContain(string)"/> for that
/// item, on any thread, returns true. Statistics read while adds run are approximate. The one exception
/// is a <see cref="ParallelBloomFilterBuilder"/>, which owns the filter it fills until it completes.</para>
/// </remarks>
public sealed partial class BloomFilter
{
    /// <summary>The gateway's default: sized for a catalog of one million product ids.</summary>
    public const long DefaultExpectedItems = 1_000_000;

    /// <summary>The gateway's default target: at most 1 in 100 absent ids gets through to the cache.</summary>
    public const double DefaultFalsePositiveRate = 0.01;

    /// <summary>
    /// The layout of filters created without one: blocked, which answers the default catalog's lookups
    /// fastest for a few percent more memory (bench/RESULTS.md, "Filter layouts").
    /// </summary>
    public const BloomFilterLayout DefaultLayout = BloomFilterLayout.Blocked;

    private readonly LockFreeBitArray _bits;
    private readonly ulong _bitCount;
    private readonly BlockedBits? _blocks; // null in the standard layout
    private readonly ItemHash.Keying _keying;
    private long _count;
    private object? _builder; // the ParallelBloomFilterBuilder filling this filter, if any

    /// <summary>
    /// Creates an empty, unkeyed filter of the <see cref="DefaultLayout"/> sized for
    /// <paramref name="expectedItems"/> at <paramref name="falsePositiveRate"/>. Its hash is public (hash algorithm 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="expectedItems"/> is not positive or needs more bits than one array holds, or
    /// <paramref name="falsePositiveRate"/> is not strictly between 0 and 1 (NaN included).
    /// </exception>
    public BloomFilter(long expectedItems = DefaultExpectedItems, double falsePositiveRate = DefaultFalsePositiveRate)
        : this(expectedItems, falsePositiveRate, DefaultLayout)
    {
    }

    /// <summary>As the constructor above, in <paramref name="layout"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">As the constructor above, or <paramref name="layout"/> is not a defined layout.</exception>
    public BloomFilter(long expectedItems, double falsePositiveRate, BloomFilterLayout layout)
        : this(expectedItems, falsePositiveRate, layout, BloomFilterSizing.Size(layout, expectedItems, falsePositiveRate), key: null, bits: null, count: 0)
    {
    }

    /// <summary>
    /// Creates an empty filter of the <see cref="DefaultLayout"/> whose hashing is keyed with
    /// <paramref name="key"/> (hash algorithm 2): the same size and speed as an unkeyed one, but which bits
    /// an id maps to cannot be computed without the key.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As the unkeyed constructor.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is the all-zero <c>default(BloomFilterKey)</c>.</exception>
    public BloomFilter(long expectedItems, double falsePositiveRate, BloomFilterKey key)
        : this(expectedItems, falsePositiveRate, DefaultLayout, key)
    {
    }

    /// <summary>As the keyed constructor above, in <paramref name="layout"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">As the unkeyed constructors.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is the all-zero <c>default(BloomFilterKey)</c>.</exception>
    public BloomFilter(long expectedItems, double falsePositiveRate, BloomFilterLayout layout, BloomFilterKey key)
        : this(expectedItems, falsePositiveRate, layout, BloomFilterSizing.Size(layout, expectedItems, falsePositiveRate), RequireKey(key), bits: null, count: 0)
    {
    }

    private BloomFilter(long expectedItems, double falsePositiveRate, BloomFilterLayout layout, BloomFilterSize size, BloomFilterKey? key, LockFreeBitArray? bits, long count)
    {
        ExpectedItems = expectedItems;
        FalsePositiveRate = falsePositiveRate;
        Layout = layout;
        HashCount = size.HashCount;
        Key = key;
        _keying = ItemHash.Keying.For(key);
        _bits = bits ?? NewBits(layout, size.BitCount);
        _bitCount = (ulong)size.BitCount;
        _blocks = layout == BloomFilterLayout.Blocked ? new BlockedBits(_bits, size.HashCount) : null;
        _count = count;
    }

    /// <summary>An empty bit array for <paramref name="layout"/>: blocked arrays start on a cache line.</summary>
    internal static LockFreeBitArray NewBits(BloomFilterLayout layout, long bitCount) =>
        new(bitCount, cacheLineAligned: layout == BloomFilterLayout.Blocked);

    private static BloomFilterKey RequireKey(BloomFilterKey key) =>
        key.IsZero
            ? throw new ArgumentException("The all-zero key is default(BloomFilterKey), a key that was never set; keyed hashing with it would equal the public hashing.", nameof(key))
            : key;

    /// <summary>n: the number of items the filter was sized for.</summary>
    public long ExpectedItems { get; }

    /// <summary>p: the target false-positive rate at <see cref="ExpectedItems"/>.</summary>
    public double FalsePositiveRate { get; }

    /// <summary>Where an item's bits lie: anywhere (standard) or in one cache line (blocked).</summary>
    public BloomFilterLayout Layout { get; }

    /// <summary>m: the number of bits in use (a multiple of 64; of 512 in the blocked layout).</summary>
    public long BitCount => (long)_bitCount;

    /// <summary>k: the number of bits probed per item (in the blocked layout, positions within its block).</summary>
    public int HashCount { get; }

    /// <summary>The secret key the hashing is keyed with; null for an unkeyed filter. <see cref="BloomFilterKey.ToString"/> does not print it.</summary>
    public BloomFilterKey? Key { get; }

    /// <summary>
    /// p' at n = <see cref="ExpectedItems"/> with the m and k in use, by the layout's formula (standard:
    /// (1 - e^(-k n / m))^k; blocked: the Poisson mixture of <see cref="BlockedBloomFilterMath"/>); never above p.
    /// </summary>
    public double ActualFalsePositiveRate => FalsePositiveRateAt(ExpectedItems);

    /// <summary>The layout's false-positive rate after <paramref name="items"/> distinct items with the m and k in use.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="items"/> is negative.</exception>
    public double FalsePositiveRateAt(long items) => BloomFilterSizing.FalsePositiveRate(Layout, items, BitCount, HashCount);

    /// <summary>
    /// Items added so far, counted as the <see cref="Add(string)"/> calls that set at least one new bit.
    /// Adding an item twice counts once; an item whose k bits were all set already (a false positive at
    /// insertion, about p of the time near capacity) is not counted, so this may fall slightly short of
    /// the number of distinct items. After <see cref="UnionWith"/> it is estimated from the fill.
    /// </summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The same formula as <see cref="ActualFalsePositiveRate"/> evaluated at <see cref="Count"/>.</summary>
    public double EstimatedFalsePositiveRate => FalsePositiveRateAt(Count);

    /// <summary>Fraction of bits set, counted on demand (O(m / 64), about 50 µs for the defaults).</summary>
    public double FillRatio => (double)_bits.PopCount() / BitCount;

    /// <summary>Bytes of the bit array in use: m / 8 (for n = 1,000,000, p = 0.01: 1,245,824 blocked, 1,199,120 standard).</summary>
    public long MemoryBytes => (long)_bits.WordCount * sizeof(long);

    /// <summary>Adds an item. True when it set at least one new bit, i.e. the item was certainly new.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    public bool Add(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Add(item.AsSpan());
    }

    /// <summary>Adds the item spelled by <paramref name="item"/>; the same bits as the string overload.</summary>
    /// <exception cref="InvalidOperationException">A <see cref="ParallelBloomFilterBuilder"/> is filling this filter.</exception>
    public bool Add(ReadOnlySpan<char> item)
    {
        ThrowIfBuilding();
        var (h1, h2) = ItemHash.Compute(item, _keying);
        var changed = _blocks is { } blocks
            ? blocks.Add(h1, h2)
            : _bits.SetAll(new ProbeSequence(h1, h2, _bitCount), HashCount);
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
        return MightContain(item.AsSpan());
    }

    /// <summary>As <see cref="MightContain(string)"/> for a span (e.g. a slice of a request path), without allocating.</summary>
    public bool MightContain(ReadOnlySpan<char> item)
    {
        var (h1, h2) = ItemHash.Compute(item, _keying);
        return _blocks is { } blocks
            ? blocks.MightContain(h1, h2)
            : _bits.AreAllSet(new ProbeSequence(h1, h2, _bitCount), HashCount);
    }

    /// <summary>The standard layout's early-exit variant, for the benchmark that justifies <see cref="LockFreeBitArray.AreAllSet"/>; the blocked layout has one read.</summary>
    internal bool MightContainEarlyExit(ReadOnlySpan<char> item)
    {
        var (h1, h2) = ItemHash.Compute(item, _keying);
        return _blocks is { } blocks
            ? blocks.MightContain(h1, h2)
            : _bits.AreAllSetEarlyExit(new ProbeSequence(h1, h2, _bitCount), HashCount);
    }

    /// <summary>The k bit indexes of <paramref name="item"/>, in probe (or position) order.</summary>
    internal long[] IndexesOf(ReadOnlySpan<char> item)
    {
        var (h1, h2) = ItemHash.Compute(item, _keying);
        return _blocks is { } blocks ? blocks.Indexes(h1, h2) : ProbeSequence.Indexes(h1, h2, BitCount, HashCount);
    }

    /// <summary>The blocked layout's bits (null in the standard layout), for the parallel builder and for tests.</summary>
    internal BlockedBits? Blocks => _blocks;

    internal LockFreeBitArray Bits => _bits;

    internal ItemHash.Keying Keying => _keying;

    /// <summary>
    /// True while the blocked layout uses AVX2 (where the CPU has it); tests set it to false on one filter to
    /// compare the scalar path with the vector one. Always false in the standard layout.
    /// </summary>
    internal bool UsesAvx2
    {
        get => _blocks is { UsesAvx2: true } && System.Runtime.Intrinsics.X86.Avx2.IsSupported;
        set
        {
            if (_blocks is not null)
            {
                _blocks.UsesAvx2 = value;
            }
        }
    }

    /// <summary>Counts items a parallel builder added that set a new bit.</summary>
    internal void CountAdded(long items) => Interlocked.Add(ref _count, items);

    /// <summary>Makes <paramref name="builder"/> the only writer until <see cref="EndBuild"/>.</summary>
    internal void BeginBuild(object builder)
    {
        if (Interlocked.CompareExchange(ref _builder, builder, null) is not null)
        {
            throw new InvalidOperationException("Another ParallelBloomFilterBuilder is filling this filter.");
        }
    }

    internal void EndBuild(object builder) => Interlocked.CompareExchange(ref _builder, null, builder);

    private void ThrowIfBuilding()
    {
        if (Volatile.Read(ref _builder) is not null)
        {
            throw new InvalidOperationException(
                "A ParallelBloomFilterBuilder is filling this filter and writes it without atomics: add through the builder, or after it completed.");
        }
    }

    internal bool IsBitSet(long index) => _bits.IsSet(index);

    internal long[] CopyBits() => _bits.CopyWords();

    internal void SetBit(long index) => _bits.Set(index);

    public override string ToString() =>
        $"BloomFilter({BloomFilterSizing.Name(Layout)}, n = {ExpectedItems}, p = {FalsePositiveRate}, m = {BitCount}, k = {HashCount}, count = {Count}, {(Key is null ? "unkeyed" : "keyed")})";
}
