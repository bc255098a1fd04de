using System.Diagnostics.Metrics;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>This instance's place in its cluster (standalone: alone, never behind).</summary>
public sealed class ClusterGauges(ClusterStatus cluster) : IGauges
{
    public void Create(Meter meter)
    {
        meter.CreateObservableGauge("edgeguard.filter.sync_lag", () => cluster.View.SyncLag.TotalSeconds, "s",
            "How far this instance was behind the cluster's filter log at its last heartbeat (0 standalone).");
        meter.CreateObservableGauge("edgeguard.cluster.instances", () => cluster.View.Instances, "{instance}",
            "Live instances in this instance's cluster (1 standalone).");
    }
}
