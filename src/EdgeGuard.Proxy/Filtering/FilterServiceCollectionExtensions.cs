using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Filtering;

public static class FilterServiceCollectionExtensions
{
    /// <summary>
    /// The filter, its sources, how it is built, restored from a snapshot and kept loaded, and the poller of the
    /// incremental sources. Who runs the loads is the mode's: <see cref="StandaloneFilterService"/> or the cluster.
    /// The filter asks the registered <see cref="IFilterTrust"/> whether its "no" counts.
    /// </summary>
    public static IServiceCollection AddProductFilter(this IServiceCollection services)
    {
        services.AddHttpClient(CatalogDestination.HttpClientName);
        services.AddSingleton<CatalogDestination>();
        services.AddIdSources();
        services.AddSingleton<IdSourceSet>();
        services.AddSingleton<FilterBuilder>();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value;
            return new ProductFilter(options.Writes.MaxPending, options.Bloom.RebuildGrace, trust: provider.GetRequiredService<IFilterTrust>());
        });
        services.AddSingleton<FilterKeyProvider>();
        services.AddSingleton<LocalFilterStore>();
        services.AddSingleton<SnapshotState>();
        services.AddSingleton<SnapshotRestorer>();
        services.AddSingleton<FilterLoader>();
        services.AddIdSourcePolling();
        services.AddSingleton<IGauges, FilterGauges>();
        services.AddHealthChecks().AddCheck<FilterReadyHealthCheck>("bloom-filter", tags: ["ready"]);
        return services;
    }

    /// <summary>A standalone gateway: it keeps its own filter (and its local snapshot) and announces to nobody.</summary>
    public static IServiceCollection AddStandaloneFilter(this IServiceCollection services)
    {
        services.AddSingleton<IFilterTrust>(AlwaysTrusted.Instance);
        services.AddSingleton<StandaloneFilterService>();
        services.AddHostedService(provider => provider.GetRequiredService<StandaloneFilterService>());
        services.AddSingleton<IFilterReloader>(provider => provider.GetRequiredService<StandaloneFilterService>());
        services.AddSingleton<ILeadership, StandaloneLeadership>();
        services.AddSingleton<IIdAnnouncer, LocalIdAnnouncer>();
        return services;
    }
}
