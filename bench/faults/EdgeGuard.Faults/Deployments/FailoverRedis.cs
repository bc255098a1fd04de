using EdgeGuard.Testing.Redis;

namespace EdgeGuard.Faults.Deployments;

/// <summary>
/// Fault 5's Redis: the test support's <see cref="SentinelTopology"/> (a primary, a replica whose replication can be held
/// alone, three Sentinels), which the gateways reach by its <c>redis-sentinel://</c> URL, on loopback. Not runnable, with
/// the reason, where <c>redis-sentinel</c> is not installed.
/// </summary>
public sealed class FailoverRedis(SentinelTopology topology) : IFailoverRedis
{
    private const string LeaseKey = "{edgeguard}:lease:leader";

    public string Description =>
        $"a primary (redis-server on 127.0.0.1:{topology.Primary.Port}), its replica (on {topology.Replica.Port}) and {topology.Sentinels.Count} Sentinels";

    public static async Task<(IFailoverRedis? Redis, string? Unavailable)> TryStartAsync()
    {
        try
        {
            return (new FailoverRedis(await SentinelTopology.StartAsync()), null);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("was not found", StringComparison.Ordinal))
        {
            return (null, $"not runnable here: {e.Message}");
        }
    }

    public bool OnLoopback => true;

    public string UrlFor(int instance) => topology.Url;

    public async Task<string?> LeaderAsync()
    {
        var primary = (await topology.PrimaryPortsAsync()).FirstOrDefault(port => port is not null);
        if (primary is not { } port)
        {
            return null;
        }

        try
        {
            var reply = await RedisWire.SendAsync(port, ["GET", LeaseKey]);
            var lines = reply.Split("\r\n");
            return reply.StartsWith('$') && !reply.StartsWith("$-1", StringComparison.Ordinal) && lines.Length > 1 ? lines[1] : null;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    public Task HoldReplicationAsync() => topology.HoldReplicationAsync();

    public async Task KillPrimaryAndWaitForFailoverAsync() => await topology.KillPrimaryAndWaitForFailoverAsync();

    public IEnumerable<(string Name, string Output)> Outputs() =>
    [
        ("redis-primary", topology.Primary.Output),
        ("redis-replica", topology.Replica.Output),
        .. topology.Sentinels.Select((sentinel, i) => ($"sentinel-{i}", sentinel.Output)),
    ];

    public void Kill()
    {
        topology.Primary.Kill();
        topology.Replica.Kill();
        foreach (var sentinel in topology.Sentinels)
        {
            sentinel.Kill();
        }
    }

    public ValueTask DisposeAsync() => topology.DisposeAsync();
}
