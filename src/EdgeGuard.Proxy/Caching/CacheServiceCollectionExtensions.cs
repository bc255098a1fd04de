using EdgeGuard.Proxy.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Caching;

public static class CacheServiceCollectionExtensions
{
    /// <summary>Registers the embedded store, or the Redis store when <c>REDIS_URL</c> names a Redis server.</summary>
    public static IServiceCollection AddProductCache(this IServiceCollection services) =>
        services.AddSingleton<IProductCacheStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EdgeGuardOptions>>();
            // Options validation has already refused an unparsable URL.
            CacheLocation.TryParse(options.Value.Cache.RedisUrl, out var location, out _);
            return location is { IsEmbedded: false }
                ? ActivatorUtilities.CreateInstance<RedisProductCacheStore>(provider, location)
                : ActivatorUtilities.CreateInstance<MemoryProductCacheStore>(provider);
        });
}
