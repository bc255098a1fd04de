using EdgeGuard.Proxy.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// The shared routes' entries, in the product cache's FusionCache (the same L1, Redis L2, backplane and locks:
/// one fetch per key across the cluster, every instance's memory coherent), under keys of their own
/// (<see cref="CacheKeys.Http"/> in Redis; embedded, <c>http:</c> and the key, which no product id can be).
/// </summary>
public sealed class SharedCacheStore(ProductCache cache)
{
    // While Redis fails, a miss does not wait for a distributed lock either (as on the product route).
    private readonly FusionCacheEntryOptions _withoutDistributedLock = WithoutDistributedLock(cache.Fusion);

    private IFusionCache Fusion => cache.Fusion;

    /// <summary>The options an entry starts from before its fill or <see cref="SetAsync"/> adapts them.</summary>
    public FusionCacheEntryOptions NewEntryOptions() => Fusion.DefaultEntryOptions.Duplicate();

    /// <summary>The entry for <paramref name="key"/>; on a miss (or an expired entry) <paramref name="fill"/> runs once for every caller waiting for it.</summary>
    public ValueTask<CacheEntry> GetOrFillAsync(string key, Func<FusionCacheFactoryExecutionContext<CacheEntry>, CancellationToken, Task<CacheEntry>> fill) =>
        // Not tied to one caller's request: a fill is shared, and its client leaving must not cancel it for the others.
        Fusion.GetOrSetAsync<CacheEntry>(Key(key), fill, default, cache.CircuitOpen ? _withoutDistributedLock : null, null, CancellationToken.None);

    /// <summary>The entry for <paramref name="key"/> if FusionCache holds one it counts as fresh, without filling it.</summary>
    public async ValueTask<CacheEntry?> PeekAsync(string key) =>
        await Fusion.TryGetAsync<CacheEntry>(Key(key)).ConfigureAwait(false) is { HasValue: true } found ? found.Value : null;

    public ValueTask SetAsync(string key, CacheEntry entry, FusionCacheEntryOptions entryOptions) =>
        Fusion.SetAsync(Key(key), entry, entryOptions);

    /// <summary>Removes the entry everywhere: this L1, Redis, and every other instance's L1.</summary>
    public ValueTask RemoveAsync(string key) => Fusion.RemoveAsync(Key(key));

    private static FusionCacheEntryOptions WithoutDistributedLock(IFusionCache fusion)
    {
        var options = fusion.DefaultEntryOptions.Duplicate();
        options.SkipDistributedLocker = true;
        return options;
    }

    private string Key(string key) => cache.IsDistributed ? CacheKeys.Http(key) : "http:" + key;
}
