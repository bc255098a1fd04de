namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// Tells a cache fill whether a write to the same product overlapped it. A read that fetched "404" just
/// before a product was created must not leave that 404 in the cache after the create's invalidation, or
/// the new product would be hidden for the negative TTL. Writers bump the id's epoch before forwarding
/// and again before invalidating; a fill stores its entry, then compares the epoch it started with and
/// removes the entry if a write came in between. Epochs are <see cref="StripedCounters"/>: ids sharing a
/// stripe only cost an occasional skipped cache fill.
/// </summary>
public sealed class WriteEpochs
{
    private readonly StripedCounters _epochs = new();

    public long Read(string id) => _epochs.Read(id);

    public void Bump(string id) => _epochs.Increment(id);
}
