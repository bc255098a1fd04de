namespace EdgeGuard.Proxy.SharedCache;

public static class SharedCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the shared routes' cache (routes with <c>EdgeGuard.Cache: shared</c>), on the product cache's
    /// FusionCache (<c>AddProductCache</c> registers it), and its policies in the order they apply.
    /// </summary>
    public static IServiceCollection AddSharedCache(this IServiceCollection services)
    {
        services.AddSingleton<ISharedCachePolicy, MethodPolicy>();
        services.AddSingleton<ISharedCachePolicy, CredentialsPolicy>();
        services.AddSingleton<ISharedCachePolicy, RangePolicy>();
        services.AddSingleton<ISharedCachePolicy, ClientDirectivesPolicy>();
        services.AddSingleton<SharedCacheStore>();
        services.AddSingleton<SharedEntries>();
        services.AddSingleton<SharedFetcher>();
        services.AddSingleton<SharedLookup>();
        return services;
    }
}
