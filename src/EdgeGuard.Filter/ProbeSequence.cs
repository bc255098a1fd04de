using System.Runtime.CompilerServices;

namespace EdgeGuard.Filter;

/// <summary>
/// The k bit positions of an item by double hashing: index_i = (h1 + i * h2) mod m, i = 0..k-1.
/// </summary>
/// <remarks>
/// A 64-bit division costs tens of cycles, so it is not done per probe: h1 and h2 are reduced mod m
/// once, after which index_{i+1} = index_i + (h2 mod m), minus m when that reaches m. Both terms are
/// below m &lt; 2^63, so the sum cannot overflow, and the result equals the formula evaluated with
/// unbounded integers (a test checks this against BigInteger).
/// </remarks>
internal struct ProbeSequence
{
    private readonly ulong _bitCount;
    private readonly ulong _step;
    private ulong _index;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ProbeSequence(ulong h1, ulong h2, ulong bitCount)
    {
        _bitCount = bitCount;
        _step = h2 % bitCount;
        _index = h1 % bitCount;
    }

    /// <summary>The current bit index, starting at index_0 = h1 mod m.</summary>
    public readonly ulong Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _index;
    }

    /// <summary>
    /// Advances to the next index. Whether the sum wraps past m is a coin flip per probe, so a branch
    /// would mispredict half the time (the JIT compiles a ternary here to a jump, not a cmov): the
    /// wrap is done with a sign mask instead. next - m is negative, as a signed number, exactly when
    /// next &lt; m, because next &lt; 2m &lt; 2^64 and m &lt; 2^63.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance()
    {
        var wrapped = _index + _step - _bitCount;
        var notWrapped = (ulong)((long)wrapped >> 63); // all ones when the sum stayed below m
        _index = wrapped + (_bitCount & notWrapped);
    }

    /// <summary>All k indexes of an item, for tests and diagnostics.</summary>
    public static long[] Indexes(ulong h1, ulong h2, long bitCount, int hashCount)
    {
        var indexes = new long[hashCount];
        var probe = new ProbeSequence(h1, h2, (ulong)bitCount);
        for (var i = 0; i < hashCount; i++)
        {
            indexes[i] = (long)probe.Current;
            probe.Advance();
        }

        return indexes;
    }
}
