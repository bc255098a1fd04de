namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// Where product answers are cached. Implementations never throw for an outage of their backing store:
/// a get that cannot be answered is a miss, a set that cannot be made is skipped; a request must never
/// fail because the cache did.
/// </summary>
public interface IProductCacheStore
{
    ValueTask<CacheEntry?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stores the entry with its time to live, atomically.</summary>
    ValueTask SetAsync(string id, CacheEntry entry, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Removes the entry (after a write). A removal that cannot be made now must still take effect
    /// before a stale entry is served again.</summary>
    ValueTask RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>Null while healthy; otherwise why the cache is degraded. May probe the backing store.</summary>
    ValueTask<string?> CheckDegradationAsync(CancellationToken cancellationToken);
}
