using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeGuard.Filter;

/// <summary>
/// A fixed-size array of bits in 64-bit words that many threads may set and read at once without locks.
/// Bits are only ever set, never cleared, which is what makes the lock-free scheme simple.
/// </summary>
/// <remarks>
/// Writers set bits with <see cref="Interlocked.Or(ref long, long)"/>, an atomic read-modify-write with
/// a full fence, so concurrent writers to one word never lose each other's bits. Readers use
/// <see cref="Volatile.Read(ref readonly long)"/> (a plain load on x64/arm64 plus an ordering guarantee), so a
/// reader that runs after a writer has returned sees that writer's bits. The exceptions are the
/// <c>Exclusive</c> writes (<see cref="SetExclusive"/>, <see cref="BlockedBits.AddExclusive"/>), plain
/// stores for a parallel builder that owns the words it writes (see <see cref="ParallelBloomFilterBuilder"/>).
/// </remarks>
internal sealed class LockFreeBitArray
{
    private const int WordShift = 6;      // log2(64)
    private const int BitInWordMask = 63; // index mod 64
    private const int CacheLineBytes = 64;

    // The words are _words[_origin .. _origin + _wordCount): _origin is 0 unless the array is cache-line aligned.
    private readonly long[] _words;
    private readonly int _origin;
    private readonly int _wordCount;

    /// <param name="bitCount">m, a positive multiple of 64.</param>
    /// <param name="cacheLineAligned">Start word 0 on a 64-byte boundary, so that every aligned group of eight
    /// words is one cache line (the blocked layout). The array is then allocated on the pinned object heap,
    /// where objects never move, with up to seven words more to find the boundary in. Arrays of
    /// <see cref="TransparentHugePages.MinimumBytes"/> or more, of either layout, are advised to be huge pages, and
    /// pinned for it (<see cref="TransparentHugePages"/>).</param>
    public LockFreeBitArray(long bitCount, bool cacheLineAligned = false)
    {
        var maxWords = cacheLineAligned ? BlockedBloomFilterMath.MaxBlockCount * BlockedBloomFilterMath.WordsPerBlock : BloomFilterMath.MaxBitCount / BloomFilterMath.BitsPerWord;
        if (bitCount <= 0 || bitCount % BloomFilterMath.BitsPerWord != 0 || bitCount / BloomFilterMath.BitsPerWord > maxWords)
        {
            throw new ArgumentOutOfRangeException(nameof(bitCount), bitCount,
                "bitCount must be a positive multiple of 64 that fits one array.");
        }

        _wordCount = (int)(bitCount / BloomFilterMath.BitsPerWord);
        if (!cacheLineAligned)
        {
            _words = TransparentHugePages.Allocate(_wordCount, pinned: false);
            return;
        }

        const int wordsPerLine = CacheLineBytes / sizeof(long);
        _words = TransparentHugePages.Allocate(_wordCount + wordsPerLine - 1, pinned: true);
        var handle = GCHandle.Alloc(_words, GCHandleType.Pinned);
        try
        {
            var misalignment = (int)(handle.AddrOfPinnedObject() & (CacheLineBytes - 1));
            _origin = (CacheLineBytes - misalignment) % CacheLineBytes / sizeof(long);
        }
        finally
        {
            handle.Free();
        }
    }

    public long BitCount => (long)_wordCount * BloomFilterMath.BitsPerWord;

    public int WordCount => _wordCount;

    /// <summary>True when word 0 lies on a 64-byte boundary (for tests: pins the array for a moment to look).</summary>
    public bool IsCacheLineAligned
    {
        get
        {
            var handle = GCHandle.Alloc(_words, GCHandleType.Pinned);
            try
            {
                return ((handle.AddrOfPinnedObject() + _origin * sizeof(long)) & (CacheLineBytes - 1)) == 0;
            }
            finally
            {
                handle.Free();
            }
        }
    }

    /// <summary>Where word 0 lies, for tests that read the kernel's account of the memory (meaningful for pinned arrays:
    /// cache-line aligned ones and those of <see cref="TransparentHugePages.MinimumBytes"/> or more).</summary>
    public nint AddressOfWords => Marshal.UnsafeAddrOfPinnedArrayElement(_words, _origin);

    /// <summary>The words in use, for bulk reads and for filling a new array before anyone else sees it.</summary>
    public Span<long> Words => _words.AsSpan(_origin, _wordCount);

    /// <summary>
    /// Word 0 of 512-bit block <paramref name="block"/>. The caller reads or writes the eight words from there and
    /// must pass a block below m / 512 (the index is checked for the first word only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref long BlockStart(long block) => ref _words[_origin + (int)(block * BlockedBloomFilterMath.WordsPerBlock)];

    /// <summary>Sets every probed bit; true when at least one of them was not set before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool SetAll(ProbeSequence probe, int count)
    {
        long changed = 0;
        for (var i = 0; i < count; i++)
        {
            var index = probe.Current;
            var mask = 1L << (int)(index & BitInWordMask);
            var before = Interlocked.Or(ref _words[_origin + (int)(index >> WordShift)], mask);
            changed |= ~before & mask;
            probe.Advance();
        }

        return changed != 0;
    }

    /// <summary>
    /// True when every probed bit is set. Reads all <paramref name="count"/> words and ANDs them without
    /// a data-dependent branch: for absent ids an early exit mispredicts once per call (where it stops
    /// is random at the design fill of about 50 %), while the k loads here are independent and overlap.
    /// Which of the two is faster depends on the machine (bench/RESULTS.md compares them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AreAllSet(ProbeSequence probe, int count)
    {
        var words = _words;
        var origin = _origin;
        ulong all = 1;
        for (var i = 0; i < count; i++)
        {
            var index = probe.Current;
            all &= (ulong)Volatile.Read(ref words[origin + (int)(index >> WordShift)]) >> (int)(index & BitInWordMask);
            probe.Advance();
        }

        return all != 0;
    }

    /// <summary>The textbook variant that stops at the first clear bit; kept to benchmark the choice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool AreAllSetEarlyExit(ProbeSequence probe, int count)
    {
        var words = _words;
        var origin = _origin;
        for (var i = 0; i < count; i++)
        {
            var index = probe.Current;
            if ((Volatile.Read(ref words[origin + (int)(index >> WordShift)]) & (1L << (int)(index & BitInWordMask))) == 0)
            {
                return false;
            }

            probe.Advance();
        }

        return true;
    }

    public bool Set(long index)
    {
        var mask = 1L << (int)(index & BitInWordMask);
        return (Interlocked.Or(ref _words[_origin + (int)(index >> WordShift)], mask) & mask) == 0;
    }

    /// <summary>
    /// Sets one bit with a plain load and store, for a builder that is the only thread writing this word and
    /// whose results nobody reads until it is done; true when the bit was not set before.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool SetExclusive(long index)
    {
        ref var word = ref _words[_origin + (int)(index >> WordShift)];
        var mask = 1L << (int)(index & BitInWordMask);
        var before = word;
        word = before | mask;
        return (before & mask) == 0;
    }

    public bool IsSet(long index) =>
        (Volatile.Read(ref _words[_origin + (int)(index >> WordShift)]) & (1L << (int)(index & BitInWordMask))) != 0;

    /// <summary>Number of set bits, counted now (O(m / 64)); concurrent adds may or may not be included.</summary>
    public long PopCount()
    {
        long count = 0;
        foreach (var word in Words)
        {
            count += BitOperations.PopCount((ulong)word);
        }

        return count;
    }

    /// <summary>ORs <paramref name="other"/> into this array, word by word, safely against concurrent adds.</summary>
    public void UnionWith(LockFreeBitArray other)
    {
        if (other._wordCount != _wordCount)
        {
            throw new ArgumentException("Bit arrays differ in length.", nameof(other));
        }

        for (var i = 0; i < _wordCount; i++)
        {
            var word = Volatile.Read(ref other._words[other._origin + i]);
            if (word != 0)
            {
                Interlocked.Or(ref _words[_origin + i], word);
            }
        }
    }

    /// <summary>A copy of all the words, for tests and diagnostics (snapshots copy chunk by chunk with <see cref="CopyWordsTo"/>).</summary>
    public long[] CopyWords()
    {
        var copy = new long[_wordCount];
        CopyWordsTo(0, copy);
        return copy;
    }

    /// <summary>
    /// Copies the words from <paramref name="start"/> on into <paramref name="destination"/>, each read
    /// with a volatile load: every bit set before the call began is in the copy; bits set meanwhile may be.
    /// </summary>
    public void CopyWordsTo(int start, Span<long> destination)
    {
        var words = Words.Slice(start, destination.Length);
        for (var i = 0; i < words.Length; i++)
        {
            destination[i] = Volatile.Read(ref words[i]);
        }
    }
}
