namespace EdgeGuard.Proxy.Caching;

public static class CacheKeys
{
    /// <summary>The contract's key for a product's positive or negative entry.</summary>
    public static string Product(string id) => "cache:product:" + id;
}
