using System.Globalization;
using EdgeGuard.Testing.Redis;

namespace EdgeGuard.Testing.Tests.Redis;

/// <summary>The three-primary Redis Cluster with real redis-server processes.</summary>
[Integration]
public sealed class RedisClusterTopologyTests
{
    [Fact]
    public async Task Every_node_holds_a_share_of_the_keys_and_any_key_is_served()
    {
        await using var cluster = await RedisClusterTopology.StartAsync();
        var db = cluster.Admin.GetDatabase();
        var keys = Enumerable.Range(0, 60).Select(i => $"key-{i.ToString(CultureInfo.InvariantCulture)}").ToList();

        foreach (var key in keys)
        {
            Assert.True(await db.StringSetAsync(key, key));
        }

        foreach (var node in cluster.Nodes)
        {
            Assert.True(await cluster.Admin.GetServer("127.0.0.1", node.Port).DatabaseSizeAsync() > 0, $"node {node.Port} holds no key");
        }

        foreach (var key in keys)
        {
            Assert.Equal(key, (string?)await db.StringGetAsync(key));
        }
    }
}
