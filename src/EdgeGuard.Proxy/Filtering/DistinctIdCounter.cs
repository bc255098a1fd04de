using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Counts distinct ids while a filter is built from several sources (the products file and the catalog list
/// the same ids; a file may repeat one). A Bloom filter cannot tell a repeat from a new id whose bits happen to
/// be set, so the count is kept beside it: 64-bit fingerprints in an open-addressing table, about 11 bytes per
/// id while a build runs, dropped when it ends. Two distinct ids share a fingerprint with probability about
/// n^2 / 2^65 (1 in 37 million for a million ids), so the count is exact in practice.
/// </summary>
internal sealed class DistinctIdCounter
{
    private const double MaxLoad = 0.7;
    private ulong[] _slots;
    private int _mask;

    public DistinctIdCounter(int initialCapacity = 1 << 16)
    {
        var size = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, initialCapacity)));
        _slots = new ulong[size];
        _mask = size - 1;
    }

    public long Count { get; private set; }

    /// <summary>True when <paramref name="id"/> was not counted before.</summary>
    public bool Add(ReadOnlySpan<char> id)
    {
        // 0 marks an empty slot, so a fingerprint of 0 is stored as 1.
        var fingerprint = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id));
        fingerprint = fingerprint == 0 ? 1 : fingerprint;
        if (!Insert(_slots, _mask, fingerprint))
        {
            return false;
        }

        Count++;
        if (Count > _slots.Length * MaxLoad)
        {
            Grow();
        }

        return true;
    }

    private static bool Insert(ulong[] slots, int mask, ulong fingerprint)
    {
        var slot = (int)(fingerprint ^ (fingerprint >> 32)) & mask;
        while (true)
        {
            var stored = slots[slot];
            if (stored == 0)
            {
                slots[slot] = fingerprint;
                return true;
            }

            if (stored == fingerprint)
            {
                return false;
            }

            slot = (slot + 1) & mask;
        }
    }

    private void Grow()
    {
        var larger = new ulong[_slots.Length * 2];
        var mask = larger.Length - 1;
        foreach (var fingerprint in _slots)
        {
            if (fingerprint != 0)
            {
                Insert(larger, mask, fingerprint);
            }
        }

        _slots = larger;
        _mask = mask;
    }
}
