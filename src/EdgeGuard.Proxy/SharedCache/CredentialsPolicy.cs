using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// A request with <c>Authorization</c> is never answered from the cache and never shares another client's fetch:
/// it reaches the origin itself, and its answer is stored only when the origin marks it shareable (RFC 9111 3.5:
/// <c>public</c>, <c>s-maxage</c>, <c>must-revalidate</c>).
/// </summary>
public sealed class CredentialsPolicy : ISharedCachePolicy
{
    public void OnRequest(SharedCacheContext context)
    {
        if (context.Request.Headers.ContainsKey(HeaderNames.Authorization))
        {
            context.AllowCacheLookup = false;
            context.AllowCoalescing = false;
        }
    }
}
