using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Sources.Sql;

namespace EdgeGuard.Proxy.Filtering.Sources;

public static class IdSourceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the configured id sources, in the order they are read: the products file (when set), the
    /// catalog's id stream (when <c>EdgeGuard:Bloom:LoadFromCatalog</c>), the catalog's database (when
    /// <c>EdgeGuard:Bloom:Sql:Provider</c> is set; an <see cref="IIncrementalIdSource"/> with an
    /// <c>IncrementalQuery</c>). Each is an <see cref="IIdSource"/>. Also <see cref="SqlQueryCheck"/>, which
    /// Program runs before the host starts.
    /// </summary>
    public static IServiceCollection AddIdSources(this IServiceCollection services)
    {
        services.AddSingleton<IIdSource>(provider =>
        {
            var bloom = provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value.Bloom;
            return bloom.ProductsFile is { Length: > 0 } path && !string.IsNullOrWhiteSpace(path)
                ? ActivatorUtilities.CreateInstance<ProductsFileSource>(provider, path, !bloom.HasApiListingSource)
                : NoSource.Instance;
        });
        services.AddSingleton<IIdSource>(provider =>
            provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value.Bloom.LoadFromCatalog
                ? ActivatorUtilities.CreateInstance<CatalogIdsSource>(provider)
                : NoSource.Instance);
        services.AddSingleton(provider => new ConfiguredSqlSource(
            provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value.Bloom.Sql is { IsConfigured: true } sql
                ? SqlIdSource.Create(sql, provider.GetRequiredService<ILoggerFactory>().CreateLogger<SqlIdSource>())
                : null));
        services.AddSingleton<IIdSource>(provider => provider.GetRequiredService<ConfiguredSqlSource>().Source ?? (IIdSource)NoSource.Instance);
        services.AddSingleton<SqlQueryCheck>();
        return services;
    }

    /// <summary>
    /// Registers the poller that learns new ids from the incremental sources (after the filter's loader, which
    /// it waits for) and the readiness check that reports Degraded while their polls fail.
    /// </summary>
    public static IServiceCollection AddIdSourcePolling(this IServiceCollection services)
    {
        services.AddSingleton<IdSourceHealth>();
        services.AddHostedService<IncrementalIdPoller>();
        services.AddHealthChecks().AddCheck<IdSourceHealthCheck>("id-sources", tags: ["ready"]);
        return services;
    }

    /// <summary>Stands for a source that is not configured; filtered out by <see cref="IdSourceSet"/>.</summary>
    internal sealed class NoSource : IIdSource
    {
        public static NoSource Instance { get; } = new();

        public string Name => "none";

        public string Identity => "";

        public bool YieldsDistinctIds => true;

        public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();
    }
}
