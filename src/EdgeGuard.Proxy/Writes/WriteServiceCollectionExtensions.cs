namespace EdgeGuard.Proxy.Writes;

public static class WriteServiceCollectionExtensions
{
    /// <summary>Product writes kept consistent with the filter and the cache. Standalone they are coordinated here;
    /// a cluster registers its own <see cref="IWriteCoordinator"/> instead.</summary>
    public static IServiceCollection AddProductWrites(this IServiceCollection services, bool clustered)
    {
        services.AddSingleton<WriteBodyReader>();
        services.AddSingleton<WriteVerifier>();
        if (!clustered)
        {
            services.AddSingleton<IWriteCoordinator, LocalWriteCoordinator>();
        }

        return services;
    }
}
