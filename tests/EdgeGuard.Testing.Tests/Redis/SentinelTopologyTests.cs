using EdgeGuard.Testing.Redis;
using StackExchange.Redis;

namespace EdgeGuard.Testing.Tests.Redis;

/// <summary>The Sentinel topology with real redis-server and redis-sentinel processes.</summary>
[Integration]
public sealed class SentinelTopologyTests
{
    [Fact]
    public async Task A_failover_promotes_the_replica_and_loses_the_writes_its_held_link_never_delivered()
    {
        await using var topology = await SentinelTopology.StartAsync();
        Assert.All(await topology.PrimaryPortsAsync(), port => Assert.Equal(topology.PrimaryProxy.Port, port));
        await using var client = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", topology.Sentinels[0].Port }, { "127.0.0.1", topology.Sentinels[1].Port } },
            ServiceName = topology.ServiceName,
            AbortOnConnectFail = false,
            ConnectTimeout = 5000,
        });
        var db = client.GetDatabase();
        Assert.True(await db.StringSetAsync("kept", "1"));
        await topology.WaitForReplicaInSyncAsync();

        await topology.HoldReplicationAsync();
        Assert.True(await db.StringSetAsync("lost", "1")); // acknowledged by the primary
        await topology.PrimaryProxy.WaitForHeldBytesAsync(); // on its way to the replica, held
        Assert.Equal("$1\r\n1\r\n", await topology.Primary.SendAsync("GET", "lost"));

        var promoted = await topology.KillPrimaryAndWaitForFailoverAsync();
        Assert.Same(topology.Replica, promoted);
        Assert.Equal("$1\r\n1\r\n", await promoted.SendAsync("GET", "kept"));
        Assert.Equal("$-1\r\n", await promoted.SendAsync("GET", "lost"));
        Assert.Equal("master", (await topology.ReplicationAsync(promoted))["role"]);
    }
}
