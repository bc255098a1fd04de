using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Writes;

namespace EdgeGuard.Proxy.Cluster;

public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// One instance of a cluster on <c>REDIS_URL</c>: the filter kept in step through the filter stream (joined,
    /// applied, trusted while a member in good standing), writes and announced ids told to every member, and the
    /// leader's duties under a lease. Replaces the standalone filter service, write coordinator and id announcer.
    /// </summary>
    public static IServiceCollection AddEdgeGuardCluster(this IServiceCollection services)
    {
        services.AddSingleton<ClusterConnection>();
        services.AddSingleton<Doorbell>();
        services.AddSingleton<ClusterTrust>();
        services.AddSingleton<IFilterTrust>(provider => provider.GetRequiredService<ClusterTrust>());
        services.AddSingleton<OpenWrites>();
        services.AddSingleton<LogApplier>();
        services.AddSingleton<SnapshotTaker>();
        services.AddSingleton<Membership>();
        services.AddSingleton<ClusterJoin>();
        services.AddSingleton<ClusterAnnouncer>();
        services.AddHostedService<ClusterSync>();

        services.AddSingleton<ClusterLeader>();
        services.AddHostedService(provider => provider.GetRequiredService<ClusterLeader>());
        services.AddSingleton<IFilterReloader>(provider => provider.GetRequiredService<ClusterLeader>());
        services.AddSingleton<ILeadership>(provider => provider.GetRequiredService<ClusterLeader>());

        services.AddSingleton<IWriteCoordinator, ClusterWriteCoordinator>();
        services.AddSingleton<IIdAnnouncer, ClusterIdAnnouncer>();
        return services;
    }
}
