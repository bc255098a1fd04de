using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeGuard.Filter;

/// <summary>
/// The one hash an item gets: XxHash128 of the item's UTF-16 code units read as little-endian bytes,
/// split into two 64-bit halves for double hashing. h1 is the low half; h2 is the high half with its
/// lowest bit forced to 1. Two schemes, named in snapshots by their algorithm id:
/// <list type="bullet">
/// <item>1, unkeyed: seed 0, the halves as they are. Public: anyone can compute any id's bits.</item>
/// <item>2, keyed with a <see cref="BloomFilterKey"/> (K0 = bytes 0..7, K1 = bytes 8..15, little-endian):
/// seed K0; h1 = low XOR K1; h2 = (high XOR rotl(K1, 32)) | 1.</item>
/// </list>
/// Scheme 1 is scheme 2 with the all-zero key, so both run the same code at the same speed; that is
/// also why the all-zero key is refused.
/// </summary>
/// <remarks>
/// Why these choices:
/// <list type="bullet">
/// <item>UTF-16 code units instead of UTF-8: a .NET string already is those bytes, so hashing them needs
/// no encoding step and no buffer (about 6 ns against about 16 ns with one on this machine).</item>
/// <item>Never <see cref="string.GetHashCode()"/>: it is randomized per process, and snapshots and other
/// gateway instances must map an id to the same bits.</item>
/// <item>h2 odd: h2 = 0 would make every probe hit the same bit. Because m is a multiple of 64 (even)
/// and h2 is odd, h2 mod m is odd as well, so the step is never 0 after reduction either.</item>
/// <item>Keyed: with the public hash, anyone holding the id list rebuilds the exact filter offline and
/// keeps only the absent ids it lets through, so every request they send passes (100 % instead of p).
/// With a secret key the bits of an id cannot be computed, so an absent id chosen offline passes with
/// probability about p, like any other (false positives can still be found online, one request each).
/// XxHash128 takes a 64-bit seed, so K0 seeds it and K1 whitens both halves: all 128 key bits decide
/// every probe index, and the seed alone does not give them.
/// h2 gets K1 rotated so that h1 and h2 are whitened differently (with one mask, h1 XOR h2 would not
/// depend on K1). The seed costs nothing for ids (XXH3 adds it into its mixing for inputs up to 240
/// bytes) and the two XORs about a cycle, so lookups keep their speed (bench/RESULTS.md, "Keyed
/// hashing").</item>
/// <item>The limit of keyed XxHash128: XXH3 is a fast hash, not a cryptographic pseudo-random function.
/// It stops the offline computation above; it is not proven against an attacker who searches for ids
/// colliding under every seed. A cryptographic PRF (SipHash, HMAC) would cost a multiple of the lookup.</item>
/// </list>
/// Changing anything here changes which bits every id maps to: it invalidates snapshots (bump the
/// algorithm id) and breaks the golden tests on purpose.
/// </remarks>
internal static class ItemHash
{
    /// <summary>Identifies the public scheme (seed 0, no whitening) in snapshots.</summary>
    public const ushort UnkeyedAlgorithmId = 1;

    /// <summary>Identifies the keyed scheme in snapshots; its snapshots carry the key.</summary>
    public const ushort KeyedAlgorithmId = 2;

    /// <summary>Ids up to this many chars are byte-swapped on the stack on big-endian hosts.</summary>
    private const int StackSwapLimit = 256;

    /// <summary>The unkeyed scheme (algorithm 1).</summary>
    public static (ulong H1, ulong H2) Compute(ReadOnlySpan<char> item) => Compute(item, Keying.Unkeyed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (ulong H1, ulong H2) Compute(ReadOnlySpan<char> item, in Keying keying)
    {
        if (!BitConverter.IsLittleEndian)
        {
            return ComputeOnBigEndianHost(item, keying);
        }

        return keying.Split(XxHash128.HashToUInt128(MemoryMarshal.AsBytes(item), keying.Seed));
    }

    /// <summary>The unkeyed scheme on the big-endian path, for the test that checks it on little-endian hosts.</summary>
    internal static (ulong H1, ulong H2) ComputeOnBigEndianHost(ReadOnlySpan<char> item) => ComputeOnBigEndianHost(item, Keying.Unkeyed);

    /// <summary>
    /// Big-endian hosts hash the same little-endian bytes as everyone else, so that snapshots move
    /// between machines. A JIT constant makes this dead code on little-endian hosts.
    /// </summary>
    internal static (ulong H1, ulong H2) ComputeOnBigEndianHost(ReadOnlySpan<char> item, in Keying keying)
    {
        char[]? rented = null;
        var littleEndian = item.Length <= StackSwapLimit
            ? stackalloc char[StackSwapLimit]
            : (rented = ArrayPool<char>.Shared.Rent(item.Length));
        littleEndian = littleEndian[..item.Length];
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<char, ushort>(item), MemoryMarshal.Cast<char, ushort>(littleEndian));
        try
        {
            return keying.Split(XxHash128.HashToUInt128(MemoryMarshal.AsBytes((ReadOnlySpan<char>)littleEndian), keying.Seed));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A filter's hashing constants, derived once from its key (all zero when unkeyed).</summary>
    internal readonly struct Keying
    {
        private readonly long _seed;
        private readonly ulong _h1Mask;
        private readonly ulong _h2Mask;

        private Keying(long seed, ulong h1Mask, ulong h2Mask)
        {
            _seed = seed;
            _h1Mask = h1Mask;
            _h2Mask = h2Mask;
        }

        /// <summary>Algorithm 1: seed 0 and no whitening.</summary>
        public static Keying Unkeyed => default;

        public static Keying For(BloomFilterKey? key) =>
            key is { } k ? new((long)k.First, k.Second, BitOperations.RotateLeft(k.Second, 32)) : Unkeyed;

        public long Seed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _seed;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (ulong H1, ulong H2) Split(UInt128 hash) => ((ulong)hash ^ _h1Mask, ((ulong)(hash >> 64) ^ _h2Mask) | 1UL);
    }
}
