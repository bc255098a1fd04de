using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// The baseline: a Bloom filter as textbooks first present it. k independent hash functions, the i-th
/// being SHA-256 of (i, id) reduced mod m, and one <see cref="bool"/> per bit. Same m and k as the real
/// filter, so the comparison isolates the implementation. Lives here only; never use it.
/// </summary>
public sealed class NaiveBloomFilter(long bitCount, int hashCount)
{
    private readonly bool[] _bits = new bool[bitCount];

    public bool Add(string item)
    {
        var changed = false;
        for (var i = 0; i < hashCount; i++)
        {
            var index = Index(i, item);
            changed |= !_bits[index];
            _bits[index] = true;
        }

        return changed;
    }

    public bool MightContain(string item)
    {
        for (var i = 0; i < hashCount; i++)
        {
            if (!_bits[Index(i, item)])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>h_i(id) = first 8 bytes of SHA-256(i as 4 bytes || UTF-8 id), mod m.</summary>
    private long Index(int i, string item)
    {
        var input = new byte[4 + Encoding.UTF8.GetByteCount(item)];
        BinaryPrimitives.WriteInt32LittleEndian(input, i);
        Encoding.UTF8.GetBytes(item, input.AsSpan(4));
        var digest = SHA256.HashData(input);
        return (long)(BinaryPrimitives.ReadUInt64LittleEndian(digest) % (ulong)_bits.LongLength);
    }
}
