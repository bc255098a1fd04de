using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>A byte-range request is forwarded as it is: the cache neither answers it nor stores the partial answer.</summary>
public sealed class RangePolicy : ISharedCachePolicy
{
    public void OnRequest(SharedCacheContext context)
    {
        if (context.Request.Headers.ContainsKey(HeaderNames.Range))
        {
            context.AllowCacheLookup = false;
            context.AllowCoalescing = false;
            context.AllowCacheStorage = false;
        }
    }
}
