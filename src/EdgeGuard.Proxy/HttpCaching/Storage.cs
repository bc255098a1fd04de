using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>Whether a shared cache may store an answer to a GET (RFC 9111 3, 3.5).</summary>
public static class Storage
{
    /// <summary>Status codes whose meaning the gateway knows (those RFC 9110 defines), for <c>must-understand</c> (5.2.2.3).</summary>
    private static readonly HashSet<int> Understood =
    [
        200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408,
        409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426, 500, 501, 502, 503, 504, 505,
    ];

    /// <summary>
    /// True when the answer may be stored: a final status other than 206 and 304; not <c>no-store</c> (unless
    /// <c>must-understand</c> with a status the gateway understands) and not <c>private</c>; for a request that
    /// carried <c>Authorization</c>, only with <c>public</c>, <c>s-maxage</c> or <c>must-revalidate</c>; and it says
    /// how long it is fresh, or its status is heuristically cacheable, or it is marked <c>public</c>.
    /// </summary>
    public static bool MayStore(int status, CacheDirectives directives, IReadOnlyList<KeyValuePair<string, string>> headers, bool requestHadAuthorization, bool useExpires = true)
    {
        if (status < 200 || status is 206 or 304)
        {
            return false;
        }

        if (directives.MustUnderstand ? !Understood.Contains(status) : directives.NoStore)
        {
            return false;
        }

        if (directives.Private)
        {
            return false;
        }

        if (requestHadAuthorization && !(directives.Public || directives.SharedMaxAge is not null || directives.MustRevalidate))
        {
            return false;
        }

        return directives.Public || directives.MaxAge is not null || directives.SharedMaxAge is not null ||
               (useExpires && HeaderFields.Contains(headers, HeaderNames.Expires)) || Freshness.IsHeuristicallyCacheable(status);
    }

    /// <summary>True when the answer carries a validator a conditional request can use (<c>ETag</c>, <c>Last-Modified</c>).</summary>
    public static bool HasValidator(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        HeaderFields.Contains(headers, HeaderNames.ETag) || HeaderFields.Contains(headers, HeaderNames.LastModified);
}
