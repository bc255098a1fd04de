using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.HttpCaching;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// What the product route stores for a catalog answer, and until when it is fresh: the shared HTTP rules
/// (<see cref="Storage"/>, <see cref="Freshness"/>) with the product route's own on top.
/// <list type="bullet">
/// <item>A 200 is fresh for the catalog's explicit lifetime (<c>s-maxage</c>, <c>max-age</c>, <c>Expires</c>), at
/// most <c>PositiveTtl</c>, and for <c>PositiveTtl</c> when it gives none: the configured TTL is a product-route rule,
/// a default lifetime a shared route never applies. Its age counts from when the gateway received it.</item>
/// <item>A 404 is a negative entry for the short negative TTL, jittered, whatever the catalog said of its freshness.</item>
/// <item>Passed through, with a short "hit-for-pass" marker so the id's requests go to the catalog side by side
/// instead of queueing for a fetch they could not share: what a shared cache may not store (no-store, private), and
/// what the product route does not revalidate or key on: <c>no-cache</c>, <c>Set-Cookie</c>, a <c>Vary</c> other than
/// <c>Accept-Encoding</c>, a content encoding not every client accepts, a body too large to hold, any other status.</item>
/// </list>
/// </summary>
public sealed class ProductCacheRules(IOptions<EdgeGuardOptions> options)
{
    /// <summary>How long an id whose answers cannot be shared goes straight to the catalog before trying again.</summary>
    public static readonly TimeSpan PassThroughTtl = TimeSpan.FromSeconds(10);

    private CacheOptions Cache => options.Value.Cache;

    /// <summary>The entry to keep for <paramref name="answer"/>; it is fresh until its <see cref="CacheEntry.FreshUntil"/>.</summary>
    public CacheEntry Decide(UpstreamAnswer answer)
    {
        var directives = CacheDirectives.Parse(HeaderFields.Lines(answer.Headers, HeaderNames.CacheControl));
        if (answer.TooLarge || !Storage.MayStore(answer.StatusCode, directives, answer.Headers, requestHadAuthorization: false) ||
            directives.NoCache || NotSharedByProductRoute(answer.Headers))
        {
            return Pass(answer);
        }

        switch (answer.StatusCode)
        {
            case StatusCodes.Status200OK:
                var lifetime = Freshness.ExplicitLifetime(answer.Headers, directives, answer.FetchedAt);
                var ttl = lifetime is { } given && given < Cache.PositiveTtl ? given : Cache.PositiveTtl;
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

    private static CacheEntry Pass(UpstreamAnswer answer) =>
        CacheEntry.PassThrough(answer.FetchedAt, answer.FetchedAt + PassThroughTtl, answer.Position);

    private TimeSpan NegativeTtl() => Cache.NegativeTtl - Cache.NegativeTtlJitter * Random.Shared.NextDouble();

    /// <summary>
    /// The product route's own reasons not to share an answer a shared cache could keep: it is fetched without the
    /// client's headers and keyed on the id alone, so it keeps no answer that varies on anything but
    /// <c>Accept-Encoding</c>, that sets a cookie, or that comes in an encoding not every client accepts.
    /// </summary>
    private static bool NotSharedByProductRoute(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        if (HeaderFields.Contains(headers, HeaderNames.SetCookie))
        {
            return true;
        }

        if (VarySpec.Parse(HeaderFields.Lines(headers, HeaderNames.Vary)) is { } vary &&
            (vary.MatchesNothing || vary.Names.Any(name => !name.Equals(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase))))
        {
            return true;
        }

        return HeaderFields.First(headers, HeaderNames.ContentEncoding) is { } encoding &&
               !encoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase);
    }
}
