using System.Numerics;

namespace EdgeGuard.Filter.Tests;

public class ProbeSequenceTests
{
    [Fact]
    public void Indexes_equal_the_formula_evaluated_with_unbounded_integers()
    {
        var random = new Random(20261124);
        Span<byte> buffer = stackalloc byte[8];
        for (var trial = 0; trial < 20_000; trial++)
        {
            random.NextBytes(buffer);
            var h1 = BitConverter.ToUInt64(buffer);
            random.NextBytes(buffer);
            var h2 = BitConverter.ToUInt64(buffer) | 1;
            // Mix tiny, ordinary and huge m (up to the largest bit array), all multiples of 64.
            var m = (trial % 3) switch
            {
                0 => 64L * random.NextInt64(1, 4),
                1 => 64L * random.NextInt64(1, 1_000_000),
                _ => 64L * random.NextInt64(1, BloomFilterMath.MaxBitCount / 64 + 1),
            };
            var k = random.Next(1, 40);

            var actual = ProbeSequence.Indexes(h1, h2, m, k);

            for (var i = 0; i < k; i++)
            {
                var expected = (long)((new BigInteger(h1) + i * new BigInteger(h2)) % m);
                Assert.Equal(expected, actual[i]);
            }
        }
    }

    [Fact]
    public void Extreme_hash_values_do_not_overflow()
    {
        const long m = BloomFilterMath.MaxBitCount;
        var actual = ProbeSequence.Indexes(ulong.MaxValue, ulong.MaxValue, m, 64);
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal((long)((new BigInteger(ulong.MaxValue) * (1 + i)) % m), actual[i]);
        }
    }

    [Fact]
    public void An_odd_step_never_reduces_to_zero_so_probes_differ()
    {
        // h2 = m + 1 would be the worst case for an even step; with h2 odd and m even, h2 mod m >= 1.
        var indexes = ProbeSequence.Indexes(5, 64 * 3 + 1, 64, 7);
        Assert.Equal(7, indexes.Distinct().Count());
    }
}
