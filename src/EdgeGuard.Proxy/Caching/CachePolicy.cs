using EdgeGuard.Proxy.Configuration;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// How FusionCache stores an entry: its lifetime there (stored a margin short of the answer's freshness), fail-safe and
/// eager refresh for answers only, and what a fill that fetched nothing or adopted another instance's entry writes.
/// What is stored, and for how long it is fresh, is decided apart: by <see cref="ProductCacheRules"/> for product
/// answers and by the HTTP rules (<c>HttpCaching</c>) for shared routes.
/// </summary>
public sealed class CachePolicy(IOptions<EdgeGuardOptions> options)
{
    private CacheOptions Cache => options.Value.Cache;

    /// <summary>The most a fill's entry is stored short of its freshness (see <see cref="StoredFor"/>).</summary>
    public static readonly TimeSpan MaxStoreLag = TimeSpan.FromMilliseconds(100);

    /// <summary>Applies the lifetime of <paramref name="entry"/>, as of <paramref name="now"/>, to the options FusionCache stores it with.</summary>
    public void Apply(CacheEntry entry, DateTimeOffset now, FusionCacheEntryOptions entryOptions)
    {
        var freshFor = StoredFor(entry.FreshUntil - now);
        entryOptions.Duration = freshFor;
        // With Redis, memory keeps an entry for MemoryTtl, which FusionCache takes as the entry's lifetime there: an
        // entry that is fresh for less (a short PositiveTtl, the catalog's max-age, a negative entry) must leave memory
        // when it stops being fresh, or memory would answer for it, unasked, until MemoryTtl.
        if (entryOptions.MemoryCacheDuration is { } memory && memory > freshFor)
        {
            entryOptions.MemoryCacheDuration = freshFor;
        }

        if (entry.Kind == CacheEntryKind.Answer)
        {
            return; // the defaults: fail-safe, eager refresh
        }

        // A negative entry or a marker is never a fallback: a product may have been created meanwhile, and a
        // 404 served "stale" would be a false negative. Neither is refreshed early (no reader waits on it).
        entryOptions.IsFailSafeEnabled = false;
        entryOptions.EagerRefreshThreshold = null;
    }

    /// <summary>
    /// Whether <paramref name="entry"/> was fetched too recently for a refresh of it to be due: less than half of the
    /// time after which one begins (<c>EagerRefreshThreshold</c> of its freshness; all of it without eager refresh).
    /// A refresh that holds so young an entry was overtaken: another instance fetched it while this one waited for
    /// the lock, and the backplane replaced the entry in this instance's memory, where the refresh reads it only
    /// once it holds the lock.
    /// </summary>
    public bool IsRecentlyFetched(CacheEntry entry, DateTimeOffset now) =>
        now - entry.FetchedAt < (entry.FreshUntil - entry.FetchedAt) * (Cache.EagerRefreshThreshold ?? 1f) / 2;

    /// <summary>
    /// Keeps in this instance's memory an entry another instance fetched and stored in Redis, for as long as it is
    /// still fresh. Redis holds it already, and every other instance heard of it from the one that fetched it.
    /// </summary>
    public void Adopt(CacheEntry entry, DateTimeOffset now, FusionCacheEntryOptions entryOptions)
    {
        Apply(entry, now, entryOptions);
        entryOptions.SkipDistributedCacheWrite = true;
        entryOptions.SkipBackplaneNotifications = true;
    }

    /// <summary>
    /// What a fill answers when it fetched nothing (its caller is over its budget): a marker nobody else may see,
    /// kept out of this instance's memory and out of Redis, so the next caller for the id (another client, waiting
    /// on the same fill or not) fills it with its own budget. The fill returns it rather than throwing: a factory
    /// that fails is what turns fail-safe on.
    /// </summary>
    public CacheEntry Withhold(DateTimeOffset now, FusionCacheEntryOptions entryOptions)
    {
        StoreNowhere(entryOptions);
        return CacheEntry.PassThrough(now, now, long.MaxValue);
    }

    /// <summary>How old an answer may be and still be served when the catalog fails (<c>FailSafeMaxAge</c>).</summary>
    public TimeSpan FailSafeMaxAge => Cache.FailSafeMaxAge;

    /// <summary>
    /// What a fill that answers with an entry found elsewhere writes: nothing, anywhere (a last good answer read from
    /// Redis while the catalog fails is served to the callers of this fill only; the next caller looks again).
    /// </summary>
    public void StoreNowhere(FusionCacheEntryOptions entryOptions)
    {
        entryOptions.SkipMemoryCacheWrite = true;
        entryOptions.SkipDistributedCacheWrite = true;
        entryOptions.SkipBackplaneNotifications = true;
        entryOptions.IsFailSafeEnabled = false;
        entryOptions.EagerRefreshThreshold = null;
    }

    /// <summary>The options of every lookup: what an <see cref="CacheEntryKind.Answer"/> is stored with.</summary>
    public FusionCacheEntryOptions CreateDefaultEntryOptions(bool hasDistributedCache)
    {
        var entryOptions = new FusionCacheEntryOptions
        {
            Duration = Cache.PositiveTtl,
            Size = 1,
            IsFailSafeEnabled = true,
            FailSafeMaxDuration = Cache.FailSafeMaxAge,
            FailSafeThrottleDuration = Cache.FailSafeThrottle,
            FactorySoftTimeout = Cache.SoftTimeout,
            FactoryHardTimeout = Cache.HardTimeout,
            AllowTimedOutFactoryBackgroundCompletion = true,
            EagerRefreshThreshold = Cache.EagerRefreshThreshold,
        };
        if (hasDistributedCache)
        {
            // Redis never holds a request up for longer than its timeout; writes to it happen in the background.
            entryOptions.MemoryCacheDuration = Cache.MemoryTtl;
            entryOptions.DistributedCacheSoftTimeout = Cache.RedisTimeout;
            entryOptions.DistributedCacheHardTimeout = Cache.RedisTimeout;
            entryOptions.AllowBackgroundDistributedCacheOperations = true;
            entryOptions.AllowBackgroundBackplaneOperations = true;
            entryOptions.DistributedLockTimeout = Cache.DistributedLockTimeout;
        }

        return entryOptions;
    }

    /// <summary>
    /// How long FusionCache is told to keep an entry fresh that has <paramref name="left"/> of its freshness left: a
    /// tenth less, at most <see cref="MaxStoreLag"/> less. FusionCache dates the expiry from when it stores the entry,
    /// after the fill has returned (milliseconds later on a busy machine); the entry's freshness counts from when the
    /// answer arrived. Stored for all that is left, an entry would still be fresh to the cache a moment after it
    /// stopped being fresh, and answers read then were labelled stale and counted as served stale with a healthy
    /// catalog. Stored short of it, the cache never holds an answer past its freshness: one it serves past it is
    /// served by fail-safe, and says so. A read in the margin refreshes the entry a moment early.
    /// </summary>
    public static TimeSpan StoredFor(TimeSpan left)
    {
        var stored = left - (left / 10 < MaxStoreLag ? left / 10 : MaxStoreLag);
        return stored > TimeSpan.Zero ? stored : TimeSpan.FromTicks(1);
    }
}
