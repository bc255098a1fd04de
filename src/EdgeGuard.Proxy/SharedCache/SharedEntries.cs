using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.HttpCaching;
using Microsoft.Net.Http.Headers;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// Turns a fetched answer into what a shared route stores, under the HTTP rules (<c>HttpCaching</c>; the directives of
/// a valid <c>CDN-Cache-Control</c> in place of <c>Cache-Control</c> and <c>Expires</c>) alone: no
/// default lifetime (an answer with no freshness information and no heuristic one is stored only to be revalidated,
/// and one with no validator either is not stored), and tells FusionCache how to keep each entry:
/// <list type="bullet">
/// <item>an answer: fresh in FusionCache for its freshness plus its <c>stale-while-revalidate</c> window, with eager
/// refresh at the cache tier's share of its freshness (or where the window starts), so a read in the window is
/// answered at once while one revalidation runs behind it; kept past that (fail-safe) for at least
/// <c>FailSafeMaxAge</c> or its <c>stale-if-error</c> window, for revalidation and for errors;</item>
/// <item>a pass marker (the answer may not be stored): short, never served, never refreshed;</item>
/// <item>a <c>Vary</c> marker: as long as an answer is kept.</item>
/// </list>
/// </summary>
public sealed class SharedEntries(IOptions<EdgeGuardOptions> options, TimeProvider time)
{
    /// <summary>How long a URL whose answer may not be stored is fetched by each request itself, without waiting for others.</summary>
    public static readonly TimeSpan PassTtl = TimeSpan.FromSeconds(10);

    private CacheOptions Cache => options.Value.Cache;

    /// <summary>The stored answer for <paramref name="answer"/>, or null when a shared cache may not store it.</summary>
    public CacheEntry? ToEntry(UpstreamAnswer answer, bool requestHadAuthorization) =>
        answer.TooLarge ? null : ToEntry(answer.StatusCode, answer.Headers, answer.Body, answer.RequestTime, answer.ResponseTime, requestHadAuthorization);

    /// <summary>
    /// The stored answer for a status, headers and body received between <paramref name="requestTime"/> and
    /// <paramref name="responseTime"/> (also a stored answer freshened by a 304), or null when it may not be stored:
    /// <see cref="Storage.MayStore"/> says no, it sets a cookie (a shared cache does not hand one client's cookie to
    /// the others), it varies on <c>*</c>, or it can never be used (no freshness and no validator).
    /// </summary>
    public static CacheEntry? ToEntry(int status, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body,
        DateTimeOffset requestTime, DateTimeOffset responseTime, bool requestHadAuthorization)
    {
        var (directives, targeted) = TargetedCacheControl.For(headers);
        if (!Storage.MayStore(status, directives, headers, requestHadAuthorization, useExpires: !targeted) ||
            HeaderFields.Contains(headers, HeaderNames.SetCookie) ||
            VarySpec.Parse(HeaderFields.Lines(headers, HeaderNames.Vary)) is { MatchesNothing: true })
        {
            return null;
        }

        var lifetime = directives.NoCache
            ? TimeSpan.Zero
            : Freshness.ExplicitLifetime(headers, directives, responseTime, useExpires: !targeted) ?? Freshness.HeuristicLifetime(status, headers, directives, responseTime);
        if (lifetime <= TimeSpan.Zero && !Storage.HasValidator(headers) && StaleUse.WhileRevalidating(directives) <= TimeSpan.Zero)
        {
            return null;
        }

        var initialAge = Freshness.InitialAge(headers, requestTime, responseTime);
        var stored = new List<KeyValuePair<string, string>>(headers.Count);
        for (var i = 0; i < headers.Count; i++)
        {
            if (!headers[i].Key.Equals(HeaderNames.Age, StringComparison.OrdinalIgnoreCase))
            {
                stored.Add(headers[i]);
            }
        }

        return new CacheEntry(CacheEntryKind.Answer, status, stored, body, responseTime, responseTime + lifetime - initialAge, position: 0, initialAge);
    }

    /// <summary>A marker that sends every request for the URL to the origin on its own for a while.</summary>
    public CacheEntry Pass(FusionCacheEntryOptions entryOptions)
    {
        var now = time.GetUtcNow();
        entryOptions.Duration = PassTtl;
        Unrefreshed(entryOptions, PassTtl);
        return CacheEntry.PassThrough(now, now + PassTtl, position: 0);
    }

    /// <summary>The marker saying the URL's answers vary on <paramref name="vary"/>; its time is its generation.</summary>
    public CacheEntry Variants(VarySpec vary, FusionCacheEntryOptions entryOptions)
    {
        var now = time.GetUtcNow();
        var keptFor = Cache.FailSafeMaxAge > PassTtl ? Cache.FailSafeMaxAge : PassTtl;
        entryOptions.Duration = keptFor;
        Unrefreshed(entryOptions, keptFor);
        return new CacheEntry(CacheEntryKind.Variants, 0, [new(HeaderNames.Vary, vary.Format())], ReadOnlyMemory<byte>.Empty, now, now + keptFor, position: 0);
    }

    /// <summary>Applies an answer's lifetimes (see the type's summary) to the options FusionCache stores it with.</summary>
    public void Apply(CacheEntry entry, FusionCacheEntryOptions entryOptions)
    {
        var now = time.GetUtcNow();
        var directives = Directives(entry);
        var freshLeft = entry.FreshUntil - now;
        if (freshLeft < TimeSpan.Zero)
        {
            freshLeft = TimeSpan.Zero;
        }

        var window = StaleUse.WhileRevalidating(directives);
        var servedFor = freshLeft + window;
        entryOptions.Duration = CachePolicy.StoredFor(servedFor);
        if (entryOptions.MemoryCacheDuration is { } memory && memory > entryOptions.Duration)
        {
            entryOptions.MemoryCacheDuration = entryOptions.Duration;
        }

        // Eager refresh at the tier's share of the freshness, or where the stale-while-revalidate window starts.
        var refreshAt = Cache.EagerRefreshThreshold is { } share ? freshLeft * share : freshLeft;
        entryOptions.EagerRefreshThreshold = servedFor > TimeSpan.Zero && (Cache.EagerRefreshThreshold is not null || window > TimeSpan.Zero)
            ? (float)Math.Clamp(refreshAt / servedFor, 0.0001, 0.9999)
            : null;

        var onError = StaleUse.OnError(directives, Cache.FailSafeMaxAge);
        var keptStale = onError > Cache.FailSafeMaxAge ? onError : Cache.FailSafeMaxAge;
        entryOptions.IsFailSafeEnabled = true;
        entryOptions.FailSafeMaxDuration = servedFor + keptStale;
    }

    /// <summary>True when <paramref name="entry"/> may be served, stale at <paramref name="now"/>, because the origin failed.</summary>
    public bool MayServeOnError(CacheEntry entry, DateTimeOffset now) =>
        now - entry.FreshUntil <= StaleUse.OnError(Directives(entry), Cache.FailSafeMaxAge);

    /// <summary>True while <paramref name="entry"/>, stale at <paramref name="now"/>, is in its <c>stale-while-revalidate</c> window.</summary>
    public static bool InRevalidationWindow(CacheEntry entry, DateTimeOffset now) =>
        now - entry.FreshUntil <= StaleUse.WhileRevalidating(Directives(entry));

    private static CacheDirectives Directives(CacheEntry entry) => TargetedCacheControl.For(entry.Headers).Directives;

    private static void Unrefreshed(FusionCacheEntryOptions entryOptions, TimeSpan duration)
    {
        entryOptions.IsFailSafeEnabled = false;
        entryOptions.EagerRefreshThreshold = null;
        if (entryOptions.MemoryCacheDuration is { } memory && memory > duration)
        {
            entryOptions.MemoryCacheDuration = duration;
        }
    }
}
