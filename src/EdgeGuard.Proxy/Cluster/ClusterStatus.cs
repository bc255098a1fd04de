namespace EdgeGuard.Proxy.Cluster;

/// <summary>This instance's place in its cluster, for stats, gauges and health; standalone, a cluster of one.</summary>
/// <param name="membership">This instance's membership (registered only in a cluster).</param>
public sealed class ClusterStatus(ClusterIdentity identity, Membership? membership = null)
{
    public bool IsClustered => membership is not null;

    public ClusterView View => membership is { } member
        ? new ClusterView(identity.Id, member.LiveMembers, member.SyncLag)
        : new ClusterView(identity.Id, 1, TimeSpan.Zero);
}

/// <summary>This instance in its cluster (standalone: alone, never behind).</summary>
public sealed record ClusterView(string InstanceId, int Instances, TimeSpan SyncLag);
