namespace CatalogBackend;

internal static class CatalogServices
{
    /// <summary>Registers the store, the seeding service and its health check, metrics and problem details.</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        // Resolved from the final configuration (environment, command line, test settings) on first use.
        services.AddSingleton(sp => CatalogOptions.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<CatalogMetrics>();
        services.AddSingleton<CatalogStore>();
        services.AddSingleton<CatalogSeeder>();
        services.AddSingleton<SeedingState>();
        services.AddHostedService<SeedingService>();
        services.AddHealthChecks().AddCheck<SeedingHealthCheck>("catalog-seeding");
        services.AddProblemDetails();
        return services;
    }
}
