using System.IO.Hashing;
using System.Numerics;
using System.Runtime.InteropServices;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Counts distinct ids while a filter is built from several sources (the products file and the catalog list
/// the same ids; a file may repeat one). A Bloom filter cannot tell a repeat from a new id whose bits happen to
/// be set, so the count is kept beside it: 64-bit fingerprints in an open-addressing table of at most
/// <c>maxBytes</c>, dropped when the build ends. Two distinct ids share a fingerprint with probability about
/// n^2 / 2^65 (1 in 37 million for a million ids), so the count is exact in practice.
/// </summary>
/// <remarks>
/// Exact counting needs 8 bytes and more per id (11 at the table's load), far more than the filter's 1.25: 50M ids
/// would take a gigabyte, and a rebuild must stay within the filter's memory twice over. So the table stops
/// growing at <c>maxBytes</c> (16 MB by default: 1,468,006 ids, so the default catalog of a million is counted
/// exactly) and past that gives up (<see cref="ExactCount"/> becomes null, its table is released); the builder
/// then estimates the count from the filter (<see cref="DistinctIdEstimate"/>).
/// </remarks>
internal sealed class DistinctIdCounter
{
    /// <summary>The table's largest size unless told otherwise.</summary>
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    private const double MaxLoad = 0.7;
    private const int MinSlots = 16;
    private const int InitialSlots = 1 << 16;
    private readonly long _maxSlots;
    private ulong[] _slots;
    private int _mask;
    private long _count;

    /// <param name="maxBytes">The most the table may take; it is given up rather than grown past this.</param>
    public DistinctIdCounter(long maxBytes = DefaultMaxBytes)
    {
        _maxSlots = 1L << BitOperations.Log2((ulong)Math.Max(MinSlots, maxBytes / sizeof(ulong))); // the largest power of two within maxBytes
        _slots = new ulong[Math.Min(_maxSlots, InitialSlots)];
        _mask = _slots.Length - 1;
    }

    /// <summary>Distinct ids added, or null once there were more than the table may hold.</summary>
    public long? ExactCount => _slots.Length == 0 ? null : _count;

    /// <summary>Bytes the table takes now (0 once given up).</summary>
    public long TableBytes => (long)_slots.Length * sizeof(ulong);

    /// <summary>Counts <paramref name="id"/> unless counted before; nothing once the count was given up.</summary>
    public void Add(ReadOnlySpan<char> id)
    {
        if (_slots.Length == 0)
        {
            return;
        }

        // 0 marks an empty slot, so a fingerprint of 0 is stored as 1.
        var fingerprint = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id));
        fingerprint = fingerprint == 0 ? 1 : fingerprint;
        if (!Insert(_slots, _mask, fingerprint))
        {
            return;
        }

        _count++;
        if (_count > _slots.Length * MaxLoad)
        {
            Grow();
        }
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
        if (_slots.Length * 2L > _maxSlots)
        {
            _slots = [];
            _mask = 0;
            return;
        }

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
