using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;

namespace EdgeGuard.Proxy.Reads;

public static class ReadServiceCollectionExtensions
{
    /// <summary>The product read path: the gate, each client's budget, the lookup in the cache and the one fetch per id.</summary>
    public static IServiceCollection AddProductReads(this IServiceCollection services)
    {
        services.AddSingleton<ReadGate>();
        services.AddSingleton<ClientBudget>();
        services.AddSingleton<OriginExchange>();
        services.AddSingleton<UpstreamFetcher>();
        services.AddSingleton<ProductLookup>();
        services.AddSingleton<CommitPositions>();
        return services;
    }
}
