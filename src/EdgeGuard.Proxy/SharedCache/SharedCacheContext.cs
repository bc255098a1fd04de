using EdgeGuard.Proxy.HttpCaching;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// One request on a shared route, as the policies (<see cref="ISharedCachePolicy"/>) see it: each sets the flags it
/// is about, and <see cref="SharedCacheMiddleware"/> acts on them.
/// </summary>
public sealed class SharedCacheContext(HttpContext httpContext)
{
    public HttpContext HttpContext { get; } = httpContext;

    public HttpRequest Request => HttpContext.Request;

    /// <summary>The request's <c>Cache-Control</c> directives.</summary>
    public CacheDirectives RequestDirectives { get; } = CacheDirectives.Parse(httpContext.Request.Headers.CacheControl.ToArray()!);

    /// <summary>A stored answer may be used for this request.</summary>
    public bool AllowCacheLookup { get; set; }

    /// <summary>A miss may be filled by a fetch shared with every request waiting for the same key.</summary>
    public bool AllowCoalescing { get; set; }

    /// <summary>The answer to this request may be stored (under the rules of <see cref="Storage"/>).</summary>
    public bool AllowCacheStorage { get; set; }

    /// <summary>The request carries <c>Authorization</c>: its answer is stored only as RFC 9111 3.5 allows.</summary>
    public bool HasAuthorization => Request.Headers.ContainsKey(HeaderNames.Authorization);

    /// <summary>The request carries <c>Cookie</c>: a shared fetch leaves it out, and an answer fetched with it is never stored.</summary>
    public bool HasCookie => Request.Headers.ContainsKey(HeaderNames.Cookie);

    /// <summary>The client asked for a stored answer or nothing (<c>only-if-cached</c>): the origin is never asked.</summary>
    public bool OnlyIfCached { get; set; }
}
