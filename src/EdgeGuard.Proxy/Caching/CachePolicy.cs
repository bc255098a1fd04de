using EdgeGuard.Proxy.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.Caching;

/// <summary>The catalog's answer to a fetch, as the gateway's own request received it.</summary>
/// <param name="StatusCode">The catalog's status.</param>
/// <param name="Headers">Its end-to-end headers, <c>Set-Cookie</c> included (for the policy to see); see <see cref="CacheEntry.Headers"/> for what else is left out.</param>
/// <param name="Body">The whole body, or empty when <paramref name="TooLarge"/>.</param>
/// <param name="TooLarge">The body outgrew <c>EdgeGuard:Cache:MaxBodyBytes</c> and was not held.</param>
/// <param name="FetchedAt">When the answer arrived.</param>
/// <param name="Position">The write-log position when the fetch started.</param>
public sealed record UpstreamAnswer(
    int StatusCode,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body,
    bool TooLarge,
    DateTimeOffset FetchedAt,
    long Position);

/// <summary>
/// Decides what the cache stores for an answer, and for how long. What a shared HTTP cache may not keep is
/// passed through (no-store, private, no-cache, Set-Cookie, a Vary the gateway does not key on, an encoding
/// not every client accepts, a body too large to hold, any status but 200 and 404): such ids get a short
/// "hit-for-pass" marker, so their requests go to the catalog side by side instead of queueing for a fetch
/// they could not share. A 200 is kept for the positive TTL, shortened by the catalog's <c>s-maxage</c> or
/// <c>max-age</c>, and may be served stale while the catalog fails (fail-safe, up to <c>FailSafeMaxAge</c>);
/// a 404 is kept for the short negative TTL, jittered, and never served stale.
/// </summary>
public sealed class CachePolicy(IOptions<EdgeGuardOptions> options)
{
    /// <summary>How long an id whose answers cannot be shared goes straight to the catalog before trying again.</summary>
    public static readonly TimeSpan PassThroughTtl = TimeSpan.FromSeconds(10);

    private CacheOptions Cache => options.Value.Cache;

    /// <summary>The entry to keep for <paramref name="answer"/>; it is fresh until its <see cref="CacheEntry.FreshUntil"/>.</summary>
    public CacheEntry Decide(UpstreamAnswer answer)
    {
        if (answer.TooLarge || Forbids(answer, out var maxAge))
        {
            return Pass(answer);
        }

        switch (answer.StatusCode)
        {
            case StatusCodes.Status200OK:
                var ttl = maxAge is { } directive && directive < Cache.PositiveTtl ? directive : Cache.PositiveTtl;
                if (ttl <= TimeSpan.Zero)
                {
                    return Pass(answer);
                }

                return new CacheEntry(CacheEntryKind.Answer, answer.StatusCode, answer.Headers, answer.Body, answer.FetchedAt, answer.FetchedAt + ttl, answer.Position);
            case StatusCodes.Status404NotFound:
                return CacheEntry.Absent(answer.FetchedAt, answer.FetchedAt + NegativeTtl(), answer.Position);
            default:
                return Pass(answer);
        }
    }

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
        entryOptions.SkipMemoryCacheWrite = true;
        entryOptions.SkipDistributedCacheWrite = true;
        entryOptions.SkipBackplaneNotifications = true;
        entryOptions.IsFailSafeEnabled = false;
        entryOptions.EagerRefreshThreshold = null;
        return CacheEntry.PassThrough(now, now, long.MaxValue);
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

    private static CacheEntry Pass(UpstreamAnswer answer) =>
        CacheEntry.PassThrough(answer.FetchedAt, answer.FetchedAt + PassThroughTtl, answer.Position);

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

    private TimeSpan NegativeTtl() => Cache.NegativeTtl - Cache.NegativeTtlJitter * Random.Shared.NextDouble();

    /// <summary>True when the catalog's headers forbid a shared cache to keep the answer; <paramref name="maxAge"/>
    /// is the freshness it grants (s-maxage over max-age), if any.</summary>
    private static bool Forbids(UpstreamAnswer answer, out TimeSpan? maxAge)
    {
        maxAge = null;
        foreach (var (name, value) in answer.Headers)
        {
            if (name.Equals(HeaderNames.CacheControl, StringComparison.OrdinalIgnoreCase))
            {
                if (!CacheControlHeaderValue.TryParse(value, out var cacheControl) ||
                    cacheControl.NoStore || cacheControl.Private || cacheControl.NoCache)
                {
                    return true;
                }

                maxAge = cacheControl.SharedMaxAge ?? cacheControl.MaxAge ?? maxAge;
            }
            else if (name.Equals(HeaderNames.Vary, StringComparison.OrdinalIgnoreCase))
            {
                // Fetched without Accept-Encoding, the answer is the same for every encoding a client accepts;
                // anything else it varies on, the cache does not key on.
                foreach (var field in value.Split(','))
                {
                    if (!field.Trim().Equals(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase) && field.Trim().Length > 0)
                    {
                        return true;
                    }
                }
            }
            else if (name.Equals(HeaderNames.ContentEncoding, StringComparison.OrdinalIgnoreCase) &&
                     !value.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                return true; // not every client accepts it
            }
            else if (name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
