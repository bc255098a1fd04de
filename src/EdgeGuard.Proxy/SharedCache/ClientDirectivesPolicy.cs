namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// What a client's own cache directives may do at the edge. A directive that asks for a fresher answer than the cache
/// holds (<c>no-cache</c>, <c>max-age</c>, <c>min-fresh</c>, <c>Pragma: no-cache</c>) would let any client make the
/// origin work on every request, for any URL, however hot: it is not honoured, and the cache answers as it would
/// anyone (RFC 9111 5.2.1 lets a cache be configured so). <c>no-store</c> is not honoured either (the answer is the
/// one everyone gets). <c>only-if-cached</c> is honoured: it asks the origin for nothing.
/// </summary>
public sealed class ClientDirectivesPolicy : ISharedCachePolicy
{
    public void OnRequest(SharedCacheContext context)
    {
        if (context.RequestDirectives.OnlyIfCached && context.AllowCacheLookup)
        {
            context.OnlyIfCached = true;
        }
    }
}
