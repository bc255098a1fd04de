using EdgeGuard.Proxy.Caching;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>This instance's place in its cluster, for stats, gauges and health; standalone, a cluster of one.</summary>
public sealed class ClusterStatus(RedisConnection redis, ClusterIdentity identity, IServiceProvider services)
{
    private ClusterSync? Sync => redis.IsConfigured ? services.GetServices<IHostedService>().OfType<ClusterSync>().FirstOrDefault() : null;

    public bool IsClustered => redis.IsConfigured;

    public ClusterView View => Sync is { } sync
        ? new ClusterView(sync.InstanceId, sync.LiveMembers, sync.SyncLag)
        : new ClusterView(identity.Id, 1, TimeSpan.Zero);
}

/// <summary>This instance in its cluster (standalone: alone, never behind).</summary>
public sealed record ClusterView(string InstanceId, int Instances, TimeSpan SyncLag);
