namespace EdgeGuard.Proxy.Caching;

public static class CacheKeys
{
    /// <summary>The contract's key for a product's positive or negative entry.</summary>
    public static string Product(string id) => "cache:product:" + id;

    /// <summary>The key of a shared route's entry (method, path, sorted query; a variant adds its secondary key).</summary>
    public static string Http(string key) => "cache:http:" + key;
}
