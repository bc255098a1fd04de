using EdgeGuard.Testing.Redis;
using StackExchange.Redis;

namespace EdgeGuard.Faults.Deployments;

/// <summary>
/// A three-primary Redis Cluster (the test support's <see cref="RedisClusterTopology"/>), which the gateways reach by one
/// node's <c>redis://</c> URL, on loopback: its nodes announce their loopback addresses, which a gateway in a network
/// namespace of its own could not reach. The cluster's keys share the hash tag <c>{edgeguard}</c> and so live on one node;
/// the cache's product keys are spread over all three.
/// </summary>
public sealed class ClusterRedis(RedisClusterTopology topology) : IRedisService
{
    private const string LeaseKey = "{edgeguard}:lease:leader";

    public string Description =>
        $"a Redis Cluster of {topology.Nodes.Count} primaries (redis-server --cluster-enabled yes on 127.0.0.1:{string.Join(", ", topology.Nodes.Select(node => node.Port))})";

    public bool OnLoopback => true;

    public static async Task<(ClusterRedis? Redis, string? Unavailable)> TryStartAsync()
    {
        try
        {
            return (new ClusterRedis(await RedisClusterTopology.StartAsync()), null);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("was not found", StringComparison.Ordinal))
        {
            return (null, $"not runnable here: {e.Message}");
        }
    }

    /// <summary>The node serving the slot of the cluster's <c>{edgeguard}</c> keys (its stream, leases, snapshots).</summary>
    public async Task<RedisServer> ClusterKeysNodeAsync()
    {
        var endpoint = await topology.Admin.GetDatabase().IdentifyEndpointAsync(LeaseKey) ?? throw new InvalidOperationException($"no node serves {LeaseKey}");
        var port = endpoint is System.Net.IPEndPoint ip ? ip.Port : ((System.Net.DnsEndPoint)endpoint).Port;
        return topology.Nodes.Single(node => node.Port == port);
    }

    /// <summary>The nodes of the cluster.</summary>
    public IReadOnlyList<RedisServer> Nodes => topology.Nodes;

    /// <summary>Until every node says <c>cluster_state:ok</c> again.</summary>
    public Task WaitUntilOkAsync(TimeSpan timeout) => topology.WaitUntilOkAsync(timeout);

    public string UrlFor(int instance) => topology.Url;

    public async Task<string?> LeaderAsync()
    {
        try
        {
            return await topology.Admin.GetDatabase().StringGetAsync(LeaseKey);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    public IEnumerable<(string Name, string Output)> Outputs() =>
        topology.Nodes.Select((node, i) => ($"redis-node-{i}", node.Output));

    public void Kill()
    {
        foreach (var node in topology.Nodes)
        {
            node.Kill();
        }
    }

    public ValueTask DisposeAsync() => topology.DisposeAsync();
}
