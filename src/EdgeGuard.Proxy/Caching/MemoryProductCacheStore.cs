using EdgeGuard.Proxy.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The embedded cache: Microsoft.Extensions.Caching.Memory with a size limit counted in entries, so an
/// attack made of distinct ids cannot grow it without bound (past the limit new entries are refused and
/// the cache compacts itself).
/// </summary>
public sealed class MemoryProductCacheStore : IProductCacheStore, IDisposable
{
    private readonly MemoryCache _cache;

    public MemoryProductCacheStore(IOptions<EdgeGuardOptions> options, TimeProvider time)
    {
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = options.Value.Cache.MemoryEntryLimit,
            Clock = new TimeProviderClock(time),
        });
    }

    public ValueTask<string?> CheckDegradationAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    public long Count => _cache.Count;

    public ValueTask<CacheEntry?> GetAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_cache.TryGetValue(CacheKeys.Product(id), out CacheEntry? entry) ? entry : null);

    public ValueTask SetAsync(string id, CacheEntry entry, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        _cache.Set(CacheKeys.Product(id), entry, new MemoryCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = timeToLive,
            Size = 1,
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string id, CancellationToken cancellationToken)
    {
        _cache.Remove(CacheKeys.Product(id));
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _cache.Dispose();
}
