using System.Globalization;
using StackExchange.Redis;

namespace EdgeGuard.Testing.Redis;

/// <summary>
/// A Redis Cluster of three primaries (no replicas): <c>redis-server --cluster-enabled yes</c> on free loopback ports,
/// joined with <c>redis-cli --cluster create</c>, ready once every node says <c>cluster_state:ok</c>. Each node keeps
/// its cluster configuration in its own directory, so a node killed and restarted rejoins with its slots. Killed and
/// deleted on dispose.
/// </summary>
public sealed class RedisClusterTopology : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private RedisClusterTopology(IReadOnlyList<RedisServer> nodes, ConnectionMultiplexer admin)
    {
        Nodes = nodes;
        Admin = admin;
    }

    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>A cluster-aware connection of the test's own (it finds every node from any).</summary>
    public ConnectionMultiplexer Admin { get; }

    /// <summary>The gateway's <c>REDIS_URL</c>: one node; the client discovers the others.</summary>
    public string Url => Nodes[0].Url;

    /// <summary>Starts <paramref name="primaries"/> nodes, makes them one cluster and waits until it serves every slot.</summary>
    public static async Task<RedisClusterTopology> StartAsync(int primaries = 3)
    {
        var redisCli = RequiredExecutable.Find("redis-cli", "redis-tools");
        var nodes = new List<RedisServer>();
        ConnectionMultiplexer? admin = null;
        try
        {
            for (var i = 0; i < primaries; i++)
            {
                nodes.Add(await RedisServer.StartAsync(
                [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
                    // The bus port is port + 10000 unless given: a free one of its own.
                    "--cluster-port", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
                ]));
            }

            await CommandLine.RunCheckedAsync(new ProcessCommand(redisCli,
            [
                "--cluster", "create", .. nodes.Select(node => $"127.0.0.1:{node.Port.ToString(CultureInfo.InvariantCulture)}"),
                "--cluster-replicas", "0", "--cluster-yes",
            ]));

            var options = new ConfigurationOptions { AbortOnConnectFail = false, AllowAdmin = true, ConnectTimeout = 2000, AsyncTimeout = 2000 };
            foreach (var node in nodes)
            {
                options.EndPoints.Add("127.0.0.1", node.Port);
            }

            admin = await ConnectionMultiplexer.ConnectAsync(options);
            var topology = new RedisClusterTopology(nodes, admin);
            await topology.WaitUntilOkAsync();
            return topology;
        }
        catch
        {
            if (admin is not null)
            {
                await admin.DisposeAsync();
            }

            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>CLUSTER INFO of <paramref name="node"/> as name → value (empty when it does not answer).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ClusterInfoAsync(RedisServer node)
    {
        try
        {
            var info = (string?)await Admin.GetServer("127.0.0.1", node.Port).ExecuteAsync("CLUSTER", "INFO") ?? "";
            return info.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.Split(':', 2))
                .Where(pair => pair.Length == 2)
                .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return new Dictionary<string, string>();
        }
    }

    /// <summary>Waits until every node says <c>cluster_state:ok</c> and knows all the others.</summary>
    public async Task WaitUntilOkAsync(TimeSpan? timeout = null)
    {
        foreach (var node in Nodes)
        {
            await Eventually.TrueAsync(async () =>
                {
                    var info = await ClusterInfoAsync(node);
                    return info.GetValueOrDefault("cluster_state") == "ok" &&
                           info.GetValueOrDefault("cluster_known_nodes") == Nodes.Count.ToString(CultureInfo.InvariantCulture);
                }, timeout ?? DefaultWait, $"the cluster node on port {node.Port} never said cluster_state:ok:{Environment.NewLine}{node.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Admin.DisposeAsync();
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
