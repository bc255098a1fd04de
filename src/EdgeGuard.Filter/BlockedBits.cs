using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeGuard.Filter;

/// <summary>
/// The blocked layout's bits (<see cref="BloomFilterLayout.Blocked"/>): z blocks of 512 bits, eight 64-bit words
/// each, starting on a cache-line boundary, so that an item's k bits lie in one 64-byte line.
/// </summary>
/// <remarks>
/// <para>From an item's hash halves (h1, h2) (see <see cref="ItemHash"/>):
/// <list type="bullet">
/// <item>block = floor((h1 * C mod 2^64) * z / 2^64), the high half of a 128-bit product: uniform over the z
/// blocks without a division, and z need not be a power of two. C = 0x9E3779B97F4A7C15 (2^64 divided by the
/// golden ratio, an odd number) first spreads every bit of h1 into the high bits that pick the block; C is odd, so this is
/// a bijection and keeps h1 uniform. Without it the block would hang on h1's high bits only, and the key bits
/// ItemHash XORs into h1's low half would hardly ever move an item;</item>
/// <item>fingerprint x = the two 32-bit halves of h2 XORed: uniform (h2's forced low bit is XORed with a
/// random one), independent of h1, and moved by every other bit of h2;</item>
/// <item>position i (0 &lt;= i &lt; k) = the top 9 bits of x * M_i mod 2^32, for the odd constants M_i below
/// (multiply-shift hashing: x * M_i is a bijection of 32-bit values, so each position is uniform over the
/// 512 bits); bit (position mod 64) of word (position / 64) of the block.</item>
/// </list>
/// The constants are the high 32 bits, forced odd, of the first sixteen outputs of SplitMix64 seeded with 0
/// (a test recomputes them). Changing any of this moves every item's bits: it invalidates blocked snapshots
/// and breaks the golden tests on purpose.</para>
/// <para>Two implementations give the same answers and set the same bits: scalar, and AVX2 where the CPU has
/// it. The AVX2 lookup computes eight positions with one multiplication, fetches the eight 32-bit words they
/// fall in with two in-register permutations and a blend (the technique of RocksDB's FastLocalBloom; the
/// words are the block's 64-bit words read as little-endian halves, which AVX2 hosts are), and tests all
/// bits with one <c>vptest</c>. Adding builds the item's 512-bit mask with variable shifts (a shift count of
/// 64 or more gives 0, which discards the words a position is not in) and ORs only the words it has bits
/// missing from.</para>
/// <para>Thread safety as in <see cref="LockFreeBitArray"/>: <see cref="Add"/> ORs words with
/// <see cref="Interlocked.Or(ref long, long)"/> and skips words whose bits are all set already (bits are
/// never cleared, so nothing can be lost); lookups read with plain loads (volatile reads on the scalar
/// path, for weakly ordered CPUs). <see cref="AddExclusive"/> writes without atomics, for a builder that
/// owns the blocks it writes.</para>
/// </remarks>
internal sealed class BlockedBits
{
    private const int PositionShift = 32 - 9;
    private const ulong BlockMultiplier = 0x9E3779B97F4A7C15;
    private const int Lanes = 8;

    private readonly LockFreeBitArray _bits;
    private readonly ulong _blockCount;
    private readonly int _hashCount;
    private readonly Vector256<uint> _activeLow;
    private readonly Vector256<uint> _activeHigh;

    public BlockedBits(LockFreeBitArray bits, int hashCount)
    {
        _bits = bits;
        _blockCount = (ulong)(bits.WordCount / BlockedBloomFilterMath.WordsPerBlock);
        _hashCount = hashCount;
        var lane = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        _activeLow = Vector256.LessThan(lane, Vector256.Create((uint)hashCount)) & Vector256<uint>.One;
        _activeHigh = Vector256.LessThan(lane + Vector256.Create((uint)Lanes), Vector256.Create((uint)hashCount)) & Vector256<uint>.One;
        UsesAvx2 = Avx2.IsSupported;
    }

    /// <summary>M_0 .. M_15: see the remarks.</summary>
    public static ReadOnlySpan<uint> Multipliers =>
    [
        0xE220A839, 0x6E789E6B, 0x06C45D19, 0xF88BB8A9, 0x1B39896B, 0x53CB9F0D, 0x2C829ABF, 0xC584133B,
        0x3EE57891, 0xF3B8488D, 0x657EECDD, 0xC2D326E1, 0x8621A03F, 0x8E1F7555, 0xB54E0F17, 0x84BB3F97,
    ];

    // The same constants as vectors, written out so that the JIT embeds them (static readonly fields would
    // cost a class-initialisation check in code compiled before the class is known to be initialised).
    private static Vector256<uint> MultipliersLow =>
        Vector256.Create(0xE220A839, 0x6E789E6B, 0x06C45D19, 0xF88BB8A9, 0x1B39896B, 0x53CB9F0D, 0x2C829ABF, 0xC584133B);

    private static Vector256<uint> MultipliersHigh =>
        Vector256.Create(0x3EE57891, 0xF3B8488D, 0x657EECDD, 0xC2D326E1, 0x8621A03F, 0x8E1F7555, 0xB54E0F17, 0x84BB3F97);

    /// <summary>True while the AVX2 path is in use; tests set it to false to compare with the scalar path.</summary>
    public bool UsesAvx2 { get; set; }

    /// <summary>
    /// Whether the AVX2 paths run: <see cref="Avx2.IsSupported"/> is a constant to the JIT, so on a host without
    /// AVX2 they are compiled away, and <see cref="UsesAvx2"/> is one field read.
    /// </summary>
    private bool Avx2InUse
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Avx2.IsSupported && UsesAvx2;
    }

    public long BlockCount => (long)_blockCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long BlockOf(ulong h1) => (long)Math.BigMul(h1 * BlockMultiplier, _blockCount, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint FingerprintOf(ulong h2) => (uint)(h2 ^ (h2 >> 32));

    /// <summary>Position i of fingerprint x within its block, 0 to 511.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Position(uint fingerprint, int i) => (int)((fingerprint * Multipliers[i]) >> PositionShift);

    /// <summary>The k bit indexes of an item in the whole array, in position order (for tests and diagnostics).</summary>
    public long[] Indexes(ulong h1, ulong h2)
    {
        var first = BlockOf(h1) * BlockedBloomFilterMath.BlockBits;
        var fingerprint = FingerprintOf(h2);
        var indexes = new long[_hashCount];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = first + Position(fingerprint, i);
        }

        return indexes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MightContain(ulong h1, ulong h2)
    {
        ref var block = ref _bits.BlockStart(BlockOf(h1));
        return Avx2InUse ? MightContainAvx2(ref block, FingerprintOf(h2)) : MightContainScalar(ref block, FingerprintOf(h2));
    }

    /// <summary>Sets the item's bits, safely against concurrent adds and lookups; true when one was not set before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(ulong h1, ulong h2)
    {
        ref var block = ref _bits.BlockStart(BlockOf(h1));
        return Avx2InUse ? AddAvx2(ref block, FingerprintOf(h2)) : AddScalar(ref block, FingerprintOf(h2));
    }

    /// <summary>
    /// Sets the item's bits with plain loads and stores: only for a caller that is the one thread writing
    /// <paramref name="block"/> and whose results nobody reads until it is done. True when one was not set before.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AddExclusive(long block, uint fingerprint)
    {
        ref var first = ref _bits.BlockStart(block);
        if (Avx2InUse)
        {
            var (low, high) = MaskAvx2(fingerprint);
            ref var firstBits = ref Unsafe.As<long, ulong>(ref first);
            var currentLow = Vector256.LoadUnsafe(ref firstBits);
            var currentHigh = Vector256.LoadUnsafe(ref firstBits, 4);
            (currentLow | low).StoreUnsafe(ref firstBits);
            (currentHigh | high).StoreUnsafe(ref firstBits, 4);
            return !(Avx.TestC(currentLow, low) && Avx.TestC(currentHigh, high));
        }

        return AddExclusiveScalar(ref first, fingerprint);
    }

    /// <summary>Kept apart so that <see cref="AddExclusive"/>, without a stackalloc, can be inlined.</summary>
    private bool AddExclusiveScalar(ref long block, uint fingerprint)
    {
        Span<ulong> mask = stackalloc ulong[BlockedBloomFilterMath.WordsPerBlock];
        MaskScalar(fingerprint, mask);
        ulong missing = 0;
        for (var w = 0; w < mask.Length; w++)
        {
            ref var word = ref Unsafe.Add(ref block, w);
            missing |= mask[w] & ~(ulong)word;
            word |= (long)mask[w];
        }

        return missing != 0;
    }

    private bool MightContainScalar(ref long block, uint fingerprint)
    {
        ulong all = 1;
        for (var i = 0; i < _hashCount; i++)
        {
            var position = Position(fingerprint, i);
            all &= (ulong)Volatile.Read(ref Unsafe.Add(ref block, position >> 6)) >> position;
        }

        return all != 0;
    }

    private bool MightContainAvx2(ref long block, uint fingerprint)
    {
        ref var words = ref Unsafe.As<long, uint>(ref block);
        var lower = Vector256.LoadUnsafe(ref words);
        var upper = Vector256.LoadUnsafe(ref words, Lanes);
        var x = Vector256.Create(fingerprint);
        var all = AllSetAvx2(lower, upper, x * MultipliersLow, _activeLow);
        if (_hashCount > Lanes)
        {
            all &= AllSetAvx2(lower, upper, x * MultipliersHigh, _activeHigh);
        }

        return all;
    }

    /// <summary>
    /// True when the block (as sixteen 32-bit words, <paramref name="lower"/> 0-7 and <paramref name="upper"/>
    /// 8-15) has the bit of every active lane set. A lane's position is its top 9 bits: the top 4 pick the
    /// 32-bit word (the top one of them the half), the next 5 the bit in it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllSetAvx2(Vector256<uint> lower, Vector256<uint> upper, Vector256<uint> hashes, Vector256<uint> active)
    {
        var word = Vector256.ShiftRightLogical(hashes, 28);
        var inUpperHalf = Vector256.ShiftRightArithmetic(hashes.AsInt32(), 31).AsUInt32();
        var words = Avx2.BlendVariable(Avx2.PermuteVar8x32(lower, word), Avx2.PermuteVar8x32(upper, word), inUpperHalf);
        var bits = Avx2.ShiftLeftLogicalVariable(active, Vector256.ShiftRightLogical(hashes, PositionShift) & Vector256.Create(31u));
        return Avx.TestC(words, bits);
    }

    private bool AddScalar(ref long block, uint fingerprint)
    {
        Span<ulong> mask = stackalloc ulong[BlockedBloomFilterMath.WordsPerBlock];
        MaskScalar(fingerprint, mask);
        ulong changed = 0;
        for (var w = 0; w < mask.Length; w++)
        {
            ref var word = ref Unsafe.Add(ref block, w);
            if ((mask[w] & ~(ulong)Volatile.Read(ref word)) != 0)
            {
                changed |= mask[w] & ~(ulong)Interlocked.Or(ref word, (long)mask[w]);
            }
        }

        return changed != 0;
    }

    private bool AddAvx2(ref long block, uint fingerprint)
    {
        var (low, high) = MaskAvx2(fingerprint);
        ref var words = ref Unsafe.As<long, ulong>(ref block);
        var missingLow = Vector256.AndNot(low, Vector256.LoadUnsafe(ref words));
        var missingHigh = Vector256.AndNot(high, Vector256.LoadUnsafe(ref words, 4));
        if ((missingLow | missingHigh) == Vector256<ulong>.Zero)
        {
            return false;
        }

        ulong changed = 0;
        for (var w = 0; w < 4; w++)
        {
            if (missingLow.GetElement(w) != 0)
            {
                var mask = low.GetElement(w);
                changed |= mask & ~(ulong)Interlocked.Or(ref Unsafe.Add(ref block, w), (long)mask);
            }

            if (missingHigh.GetElement(w) != 0)
            {
                var mask = high.GetElement(w);
                changed |= mask & ~(ulong)Interlocked.Or(ref Unsafe.Add(ref block, 4 + w), (long)mask);
            }
        }

        return changed != 0;
    }

    /// <summary>The item's bits as eight 64-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void MaskScalar(uint fingerprint, Span<ulong> mask)
    {
        mask.Clear();
        for (var i = 0; i < _hashCount; i++)
        {
            var position = Position(fingerprint, i);
            mask[position >> 6] |= 1UL << position;
        }
    }

    /// <summary>As <see cref="MaskScalar"/>, words 0-3 and 4-7: each position shifted into every word, where
    /// only the word it lies in gets a shift count below 64 (counts at or above 64 give 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal (Vector256<ulong> Low, Vector256<ulong> High) MaskAvx2(uint fingerprint)
    {
        var low = Vector256<ulong>.Zero;
        var high = Vector256<ulong>.Zero;
        for (var i = 0; i < _hashCount; i++)
        {
            var position = Vector256.Create((ulong)Position(fingerprint, i));
            low |= Avx2.ShiftLeftLogicalVariable(Vector256<ulong>.One, position - Vector256.Create(0UL, 64, 128, 192));
            high |= Avx2.ShiftLeftLogicalVariable(Vector256<ulong>.One, position - Vector256.Create(256UL, 320, 384, 448));
        }

        return (low, high);
    }
}
