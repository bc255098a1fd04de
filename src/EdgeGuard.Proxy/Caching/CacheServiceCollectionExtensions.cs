using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed.Redis;
using ZiggyCreatures.Caching.Fusion.Serialization;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace EdgeGuard.Proxy.Caching;

public static class CacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the product cache: embedded (L1 only) by default, or with Redis (<c>REDIS_URL</c>) as L2 plus
    /// a backplane and a distributed lock, all on one shared <see cref="RedisConnection"/>.
    /// </summary>
    public static IServiceCollection AddProductCache(this IServiceCollection services)
    {
        services.AddSingleton<CachePolicy>();
        services.AddSingleton<ProductCacheRules>();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EdgeGuardOptions>>();
            // Options validation has already refused an unparsable URL.
            CacheLocation.TryParse(options.Value.Cache.RedisUrl, out var location, out _);
            return location!;
        });
        services.AddSingleton<RedisConnection>();
        // Resolved only with Redis: the L2 and the serializer FusionCache and SharedEntryReader share.
        services.AddSingleton<IDistributedCache>(provider => new NotingDistributedCache(
            new RedisCache(new RedisCacheOptions { ConnectionMultiplexerFactory = provider.GetRequiredService<RedisConnection>().ConnectAsync })));
        services.AddSingleton<IFusionCacheSerializer>(new FusionCacheSystemTextJsonSerializer(CacheEntryFormatter.SerializerOptions));
        services.AddSingleton<SharedEntryReader>();
        services.AddSingleton<IFusionCacheDistributedLocker>(provider => new ResponsiveDistributedLocker(
            new RedisDistributedLocker(new RedisDistributedLockerOptions { ConnectionMultiplexerFactory = provider.GetRequiredService<RedisConnection>().ConnectAsync },
                provider.GetRequiredService<ILogger<RedisDistributedLocker>>()),
            provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value.Cache.RedisTimeout, TimeProvider.System));
        services.AddSingleton(CreateProductCache);
        services.AddSingleton<IGauges, CacheGauges>();
        services.AddHealthChecks().AddCheck<CacheHealthCheck>("cache", tags: ["ready"]);
        return services;
    }

    private static ProductCache CreateProductCache(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value;
        var cache = options.Cache;
        var loggers = provider.GetRequiredService<ILoggerFactory>();
        var distributed = !provider.GetRequiredService<CacheLocation>().IsEmbedded;
        var memory = new MemoryCache(new MemoryCacheOptions
        {
            // Counted in entries, so an attack of distinct ids cannot grow it without bound.
            SizeLimit = cache.MemoryEntryLimit,
            // Each compaction at the bound copies and sorts every entry: freeing a fifth at a time makes that
            // four times rarer than the default twentieth when an attack keeps the cache full.
            CompactionPercentage = 0.2,
            // FusionCache stamps expirations from the system clock; the memory cache must read the same clock.
        });
        var fusionOptions = new FusionCacheOptions
        {
            CacheName = options.Cluster.Name,
            DefaultEntryOptions = provider.GetRequiredService<CachePolicy>().CreateDefaultEntryOptions(distributed),
            // Redis holds the contract's key as is (no wire-format prefix). No CacheKeyPrefix either: the memory
            // cache is this cache's alone and the Redis keys are the contract's, so FusionCache's start-up warning
            // about a missing prefix says nothing an operator can act on.
            DistributedCacheKeyModifierMode = CacheKeyModifierMode.None,
            MissingCacheKeyPrefixWarningLogLevel = LogLevel.Debug,
            DistributedCacheCircuitBreakerDuration = cache.RedisBreakDuration,
            BackplaneCircuitBreakerDuration = cache.RedisBreakDuration,
            BackplaneChannelPrefix = $"{options.Cluster.Name}.cache",
            EnableAutoRecovery = true,
            // Failures repeat on every request during an outage: FusionCache's own lines stay at Debug, and the
            // gateway logs them once per cause at a bounded rate (fetches) or on circuit changes (Redis).
            FactoryErrorsLogLevel = LogLevel.Debug,
            FactorySyntheticTimeoutsLogLevel = LogLevel.Debug,
            FailSafeActivationLogLevel = LogLevel.Debug,
            DistributedCacheErrorsLogLevel = LogLevel.Debug,
            DistributedCacheSyntheticTimeoutsLogLevel = LogLevel.Debug,
            BackplaneErrorsLogLevel = LogLevel.Debug,
            BackplaneSyntheticTimeoutsLogLevel = LogLevel.Debug,
            DistributedLockerErrorsLogLevel = LogLevel.Debug,
            SerializationErrorsLogLevel = LogLevel.Warning,
            // FusionCache warns at every start that System.Text.Json drops value tuples' fields. No value tuple is
            // stored here: a cache entry's shape is CacheEntryFormatter's, and the Redis tests read entries back whole.
            SerializationConfigIssuesLogLevel = LogLevel.Debug,
        };
        var locker = new KeyedMemoryLocker();
        var fusion = new FusionCache(fusionOptions, memory, loggers.CreateLogger<FusionCache>(), locker);
        IDisposable[] owned = [memory, locker]; // FusionCache leaves what it was given to its owner
        if (!distributed)
        {
            return new ProductCache(fusion, owned);
        }

        var redis = provider.GetRequiredService<RedisConnection>();
        var health = new RedisCacheHealth(redis, cache.RedisBreakDuration, TimeProvider.System, loggers.CreateLogger<RedisCacheHealth>(),
            provider.GetRequiredService<Observability.LogThrottle>());
        fusion.SetupSerializer(provider.GetRequiredService<IFusionCacheSerializer>());
        fusion.SetupDistributedCache(provider.GetRequiredService<IDistributedCache>());
        fusion.SetupBackplane(new RedisBackplane(new RedisBackplaneOptions { ConnectionMultiplexerFactory = redis.ConnectAsync }, loggers.CreateLogger<RedisBackplane>()));
        fusion.SetupDistributedLocker(provider.GetRequiredService<IFusionCacheDistributedLocker>());
        fusion.Events.Distributed.CircuitBreakerChange += (_, change) => health.CircuitChanged(change.IsClosed);
        return new ProductCache(fusion, memory, owned, health, provider.GetRequiredService<SharedEntryReader>());
    }
}
