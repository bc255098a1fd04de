namespace EdgeGuard.Proxy.SharedCache;

/// <summary>One rule about what the shared cache may do for a request; it sets the flags of <see cref="SharedCacheContext"/> it is about.</summary>
public interface ISharedCachePolicy
{
    void OnRequest(SharedCacheContext context);
}
