using EdgeGuard.Filter;
using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.CatalogHealth;
using EdgeGuard.Proxy.Cluster;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Dashboard;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Gateway;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Reads;
using EdgeGuard.Proxy.SharedCache;
using EdgeGuard.Proxy.Writes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Transforms;

namespace EdgeGuard.Proxy;

public static class EdgeGuardServiceCollectionExtensions
{
    /// <summary>
    /// The gateway, feature by feature, in the mode its configuration asks for (<see cref="GatewayMode"/>): only that
    /// mode's services are registered.
    /// </summary>
    public static IServiceCollection AddEdgeGuard(this IServiceCollection services, IConfiguration configuration)
    {
        var clustered = GatewayMode.IsClustered(configuration);
        services.AddEdgeGuardOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new ProductIdRule(provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value.IdPattern));
        services.AddSingleton<LogThrottle>();
        services.AddSingleton<ForwarderFailureReporter>();
        services.AddEdgeGuardTelemetry(configuration);
        services.AddDashboard();
        services.AddProblemDetails();

        services.AddProductFilter();
        services.AddProductReads();
        services.AddProductCache();
        // Routes cached as an HTTP shared cache (EdgeGuard.Cache: shared), on the same FusionCache.
        services.AddSharedCache();
        services.AddProductWrites(clustered);

        services.AddSingleton<ClusterIdentity>();
        services.AddSingleton<ClusterStatus>();
        services.AddSingleton<IGauges, ClusterGauges>();
        if (clustered)
        {
            services.AddEdgeGuardCluster();
        }
        else
        {
            services.AddStandaloneFilter();
        }

        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddConfigFilter<UpstreamUrlConfigFilter>()
            .AddConfigFilter<CacheRouteConfigFilter>()
            .AddCatalogFailureDetection()
            .AddTransforms(transforms =>
            {
                transforms.AddRequestTransform(ClientHeaders.RemoveEdgeGuardHeaders);
                transforms.AddResponseTransform(SharedFetcher.RemoveConnectionListedHeaders);
            });
        return services;
    }

    private static void AddEdgeGuardOptions(this IServiceCollection services)
    {
        services.AddOptions<EdgeGuardOptions>().BindConfiguration(EdgeGuardOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<EdgeGuardOptions>, EnvironmentAliases>();
        services.AddSingleton<IValidateOptions<EdgeGuardOptions>, EdgeGuardOptionsAnnotationsValidator>();
        services.AddSingleton<IValidateOptions<EdgeGuardOptions>, EdgeGuardOptionsValidator>();
        services.AddSingleton<IValidateOptions<EdgeGuardOptions>, FilterOptionsValidator>();
        services.AddSingleton<IValidateOptions<EdgeGuardOptions>, ClientBudgetOptionsValidator>();
    }
}
