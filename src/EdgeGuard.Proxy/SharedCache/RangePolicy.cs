using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// A byte-range request is looked up like any GET: the cache's fetch asks for the whole answer (it never forwards
/// <c>Range</c>), stores it, and the range is served from it (<see cref="SharedResponses"/>: one satisfiable byte range
/// as a 206, anything else as the whole 200, which RFC 9110 14.2 allows). A range with <c>If-Range</c> is forwarded as
/// it is, and a 206 is never stored.
/// </summary>
public sealed class RangePolicy : ISharedCachePolicy
{
    public void OnRequest(SharedCacheContext context)
    {
        if (context.Request.Headers.ContainsKey(HeaderNames.Range) && context.Request.Headers.ContainsKey(HeaderNames.IfRange))
        {
            context.AllowCacheLookup = false;
            context.AllowCoalescing = false;
            context.AllowCacheStorage = false;
        }
    }
}
