namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// Counters per key in a fixed array of stripes: bounded memory however many keys are counted. Keys that
/// share a stripe share a counter, so a change is sometimes reported for a key that did not change (which
/// every user treats as "look again"), never missed for one that did.
/// </summary>
public sealed class StripedCounters
{
    private const int StripeCount = 4096;
    private readonly long[] _stripes = new long[StripeCount];

    public long Read(string key) => Volatile.Read(ref _stripes[Stripe(key)]);

    public void Increment(string key) => Interlocked.Increment(ref _stripes[Stripe(key)]);

    // Per-process randomized hashing is fine: the counters never leave the process.
    private static int Stripe(string key) => key.GetHashCode() & (StripeCount - 1);
}
