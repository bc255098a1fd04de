namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// Tells a cache fill whether a write to the same product overlapped it. A read that fetched "404" just
/// before a product was created must not leave that 404 in the cache after the create's invalidation, or
/// the new product would be hidden for the negative TTL. Writers bump the id's epoch before forwarding
/// and again before invalidating; a fill stores its entry, then compares the epoch it started with and
/// removes the entry if a write came in between. Epochs live in a fixed array of stripes (bounded memory
/// however many ids are written); ids sharing a stripe only cost an occasional skipped cache fill.
/// </summary>
public sealed class WriteEpochs
{
    private const int StripeCount = 4096;
    private readonly long[] _stripes = new long[StripeCount];

    public long Read(string id) => Volatile.Read(ref _stripes[Stripe(id)]);

    public void Bump(string id) => Interlocked.Increment(ref _stripes[Stripe(id)]);

    // Per-process randomized hashing is fine here: epochs never leave the process.
    private static int Stripe(string id) => id.GetHashCode() & (StripeCount - 1);
}
