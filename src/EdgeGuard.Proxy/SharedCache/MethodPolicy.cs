namespace EdgeGuard.Proxy.SharedCache;

/// <summary>GET is looked up, filled by one shared fetch and stored; HEAD is answered from a stored GET answer and
/// never fills; any other method reaches the origin as it is.</summary>
public sealed class MethodPolicy : ISharedCachePolicy
{
    public void OnRequest(SharedCacheContext context)
    {
        var method = context.Request.Method;
        var get = HttpMethods.IsGet(method);
        context.AllowCacheLookup = get || HttpMethods.IsHead(method);
        context.AllowCoalescing = get;
        context.AllowCacheStorage = get;
    }
}
