using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.HttpCaching;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.Reads;

/// <summary>
/// Whether the answer to a fetch that may not be shared (<c>no-store</c>, <c>private</c>, <c>Set-Cookie</c>, a
/// <c>Vary</c> the product route cannot key on) may still go to the client whose request ran the fetch, instead of
/// asking the catalog again with that client's own request. It may unless it can depend on what the fetch left out of
/// the client's request: its cookies (an answer that is <c>private</c>, sets a cookie or varies on <c>Cookie</c> is
/// one the client's cookies could change), or a header the answer varies on that the client sent and the fetch did not
/// (the fetch sends <c>Accept</c> and <c>Accept-Language</c> only, and no <c>Accept-Encoding</c>: its identity body
/// suits every client). A body too large to hold cannot be relayed.
/// </summary>
public static class RelayRule
{
    public static bool MayRelay(UpstreamAnswer answer, HttpRequest client)
    {
        if (answer.TooLarge)
        {
            return false;
        }

        var sentCookies = client.Headers.ContainsKey(HeaderNames.Cookie);
        if (sentCookies && (CacheDirectives.Parse(HeaderFields.Lines(answer.Headers, HeaderNames.CacheControl)).Private ||
                            HeaderFields.Contains(answer.Headers, HeaderNames.SetCookie)))
        {
            return false;
        }

        if (VarySpec.Parse(HeaderFields.Lines(answer.Headers, HeaderNames.Vary)) is not { } vary)
        {
            return true;
        }

        return !vary.MatchesNothing && vary.Names.All(name => FetchSent(name) || !client.Headers.ContainsKey(name));
    }

    private static bool FetchSent(string name) =>
        name.Equals(HeaderNames.Accept, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(HeaderNames.AcceptLanguage, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase);
}
