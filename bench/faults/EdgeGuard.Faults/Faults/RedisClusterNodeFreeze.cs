using System.Globalization;
using EdgeGuard.Faults.Deployments;

namespace EdgeGuard.Faults.Faults;

/// <summary>
/// The gateways on a three-primary Redis Cluster, and one node frozen (SIGSTOP), then resumed: a node that does not hold
/// the cluster's <c>{edgeguard}</c> keys, so at first only the cache's product keys on it go unanswered while the
/// cluster's stream, leases and membership work; once the other nodes mark it failed (<c>cluster-node-timeout</c>), with
/// its slots uncovered every node answers <c>CLUSTERDOWN</c>. Healed once every node says <c>cluster_state:ok</c> again
/// (the cluster's own recovery is not the gateways').
/// </summary>
public sealed class RedisClusterNodeFreeze(TimeSpan duration) : TimedFault(duration)
{
    private static readonly TimeSpan ClusterRecovery = TimeSpan.FromSeconds(30);

    public override string Key => "redis-cluster-node-freeze";

    public override string Title => string.Create(CultureInfo.InvariantCulture,
        $"on a Redis Cluster of three primaries, a node without the cluster's {{edgeguard}} keys frozen (SIGSTOP) for {Duration.TotalSeconds:0} s, then resumed");

    public override RedisKind Redis => RedisKind.Cluster;

    protected override async Task<string> InjectAsync(FaultContext context, int target)
    {
        var redis = ClusterOf(context);
        var keysNode = await redis.ClusterKeysNodeAsync();
        var frozen = redis.Nodes.First(node => node != keysNode);
        frozen.Freeze();
        return $"Redis Cluster node on port {frozen.Port} frozen (SIGSTOP); the {{edgeguard}} keys are on port {keysNode.Port}";
    }

    protected override async Task HealAsync(FaultContext context, int target)
    {
        var redis = ClusterOf(context);
        foreach (var node in redis.Nodes)
        {
            node.Thaw();
        }

        await redis.WaitUntilOkAsync(ClusterRecovery);
    }

    private static ClusterRedis ClusterOf(FaultContext context) =>
        context.Deployment.Redis as ClusterRedis ?? throw new InvalidOperationException("This fault needs a Redis Cluster.");
}
