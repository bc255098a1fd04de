using EdgeGuard.Proxy.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The embedded cache: Microsoft.Extensions.Caching.Memory with a size limit counted in entries, so an
/// attack made of distinct ids cannot grow it without bound (past the limit new entries are refused and
/// the cache compacts itself). The cache is this store's alone, so the id itself is the key: no key string
/// is built per lookup (the contract's <c>cache:product:{id}</c> names the entries a shared Redis holds).
/// </summary>
public sealed class MemoryProductCacheStore : IProductCacheStore, IDisposable
{
    private const double CompactionShare = 0.2;

    private readonly MemoryCache _cache;

    public MemoryProductCacheStore(IOptions<EdgeGuardOptions> options, TimeProvider time)
    {
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = options.Value.Cache.MemoryEntryLimit,
            // Each compaction at the bound copies and sorts every entry; freeing a fifth at a time instead of
            // the default twentieth makes that four times rarer when an attack of distinct ids keeps the
            // cache full (measured: bench/RESULTS.md, "Misses: where the time goes").
            CompactionPercentage = CompactionShare,
            Clock = new TimeProviderClock(time),
        });
    }

    public ValueTask<string?> CheckDegradationAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    public long Count => _cache.Count;

    public ValueTask<CacheEntry?> GetAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_cache.TryGetValue(id, out CacheEntry? entry) ? entry : null);

    public ValueTask SetAsync(string id, CacheEntry entry, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        // An entry is committed when disposed; no options object per set.
        using var cacheEntry = _cache.CreateEntry(id);
        cacheEntry.Value = entry;
        cacheEntry.AbsoluteExpirationRelativeToNow = timeToLive;
        cacheEntry.Size = 1;
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string id, CancellationToken cancellationToken)
    {
        _cache.Remove(id);
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _cache.Dispose();
}
