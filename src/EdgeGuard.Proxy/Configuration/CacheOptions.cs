using System.ComponentModel.DataAnnotations;

namespace EdgeGuard.Proxy.Configuration;

public sealed class CacheOptions
{
    /// <summary>Cache location (env <c>REDIS_URL</c>): unset or <c>memory://</c> embedded,
    /// <c>redis://[user:password@]host:port[/db]</c> or <c>rediss://</c> for Redis.</summary>
    public string? RedisUrl { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PositiveTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Short on purpose: a negative entry may hide a product created behind the gateway's back.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Up to this much is taken off each negative TTL at random, so a burst of misses does not
    /// expire, and come back to the catalog, all in the same second.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan NegativeTtlJitter { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Entries the embedded cache holds at most, so an attacker cannot grow it without bound.</summary>
    [Range(1L, long.MaxValue)]
    public long MemoryEntryLimit { get; set; } = 100_000;

    /// <summary>Longest a Redis call may take before the request goes on without the cache.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan RedisConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The last good answer for an id is served (stale) while the catalog fails, for at most this long
    /// after it was fetched.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan FailSafeMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>After the catalog failed a fetch, the stale answer is served this long before the catalog is asked again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan FailSafeThrottle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A fetch that takes longer while a stale answer exists serves it at once and completes in the background.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan SoftTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A fetch that takes longer fails (504) whatever the cache holds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan HardTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A hit past this share of the entry's lifetime refreshes it in the background, so readers of a hot
    /// id never wait for the catalog. Empty for never.</summary>
    [Range(0.5d, 0.99d)]
    public float? EagerRefreshThreshold { get; set; } = 0.9f;

    /// <summary>With Redis, how long an entry stays in this instance's memory before it is read from Redis again:
    /// a backstop for the backplane, which keeps memories coherent.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MemoryTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With Redis, how long a miss waits for another instance's fetch of the same id (one fetch per
    /// expiry across the cluster) before fetching itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the circuit stays open after Redis fails, before one call probes it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan RedisBreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
