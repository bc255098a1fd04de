using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Filtering.Sources;

public static class IdSourceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the configured id sources, in the order they are read: the products file (when set), the
    /// catalog's id stream (when <c>EdgeGuard:Bloom:LoadFromCatalog</c>). Each is an <see cref="IIdSource"/>.
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
        return services;
    }

    /// <summary>Stands for a source that is not configured; filtered out by <see cref="IdSourceSet"/>.</summary>
    internal sealed class NoSource : IIdSource
    {
        public static NoSource Instance { get; } = new();

        public string Name => "none";

        public bool YieldsDistinctIds => true;

        public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();
    }
}
