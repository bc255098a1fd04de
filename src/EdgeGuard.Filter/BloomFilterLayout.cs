namespace EdgeGuard.Filter;

/// <summary>
/// Where a filter puts an item's k bits. The number is the layout's id in snapshots (format version 3).
/// </summary>
public enum BloomFilterLayout
{
    /// <summary>
    /// The classic filter: k bits anywhere in the m-bit array, by double hashing (see <see cref="BloomFilterMath"/>).
    /// The fewest bits for a false-positive rate, but k memory accesses per lookup, each a cache miss once the
    /// array outgrows the caches.
    /// </summary>
    Standard = 1,

    /// <summary>
    /// Cache-local: all k bits of an item in one 512-bit block, a 64-byte cache line (see
    /// <see cref="BlockedBloomFilterMath"/>). One memory access per lookup, for a few percent more bits at the
    /// same false-positive rate.
    /// </summary>
    Blocked = 2,
}
