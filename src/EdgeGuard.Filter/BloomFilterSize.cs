namespace EdgeGuard.Filter;

/// <summary>The dimensions a filter runs with: m bits probed by k hashes per item.</summary>
/// <param name="BitCount">m, a whole number of 64-bit words.</param>
/// <param name="HashCount">k, the number of bit positions per item.</param>
public readonly record struct BloomFilterSize(long BitCount, int HashCount);
