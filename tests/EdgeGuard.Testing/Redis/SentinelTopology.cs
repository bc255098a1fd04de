using System.Globalization;
using System.Net;
using EdgeGuard.Testing.Faults;
using StackExchange.Redis;

namespace EdgeGuard.Testing.Redis;

/// <summary>
/// Redis with a replica and Sentinels, as a deployment that survives losing its primary runs it: a primary, one
/// replica, and three Sentinels (quorum 2) monitoring them under <see cref="ServiceName"/>.
/// <para>
/// The primary is reached through <see cref="PrimaryProxy"/>, a <see cref="FaultProxy"/> in pass mode: that is the
/// address the Sentinels monitor and hand to clients. The replica replicates through it too, connecting from
/// <see cref="ReplicaSourceAddress"/>, so <see cref="HoldReplicationAsync"/> can hold its replication link alone (the
/// replica stays up, answers the Sentinels and still reports its link up, but gets no more writes); a failover then
/// loses the writes it did not get. (The Sentinels would repoint a replica that replicates from any other address
/// than the one they monitor.)
/// </para>
/// Everything is killed and deleted on dispose.
/// </summary>
public sealed class SentinelTopology : IAsyncDisposable
{
    public const string DefaultServiceName = "edgeguard";

    /// <summary>The loopback address the replica connects to its primary from.</summary>
    public static readonly IPAddress ReplicaSourceAddress = IPAddress.Parse("127.0.0.2");

    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private readonly ConnectionMultiplexer _servers;
    private readonly ConnectionMultiplexer _sentinels;

    private SentinelTopology(string serviceName, RedisServer primary, FaultProxy primaryProxy, RedisServer replica,
        IReadOnlyList<SentinelServer> sentinels, ConnectionMultiplexer servers, ConnectionMultiplexer sentinelConnection)
    {
        ServiceName = serviceName;
        Primary = primary;
        PrimaryProxy = primaryProxy;
        Replica = replica;
        Sentinels = sentinels;
        _servers = servers;
        _sentinels = sentinelConnection;
    }

    public string ServiceName { get; }

    /// <summary>The primary at the start. After a failover the Sentinels name <see cref="Replica"/> instead.</summary>
    public RedisServer Primary { get; }

    /// <summary>The address the Sentinels know the first primary by (clients and the replica connect through it).</summary>
    public FaultProxy PrimaryProxy { get; }

    /// <summary>The replica at the start, which a failover promotes.</summary>
    public RedisServer Replica { get; }

    public IReadOnlyList<SentinelServer> Sentinels { get; }

    /// <summary>The gateway's <c>REDIS_URL</c>: <c>redis-sentinel://host:port,…#serviceName</c>.</summary>
    public string Url =>
        $"redis-sentinel://{string.Join(',', Sentinels.Select(sentinel => $"127.0.0.1:{sentinel.Port.ToString(CultureInfo.InvariantCulture)}"))}#{ServiceName}";

    /// <summary>Starts the primary, its replica and the Sentinels, and waits until the Sentinels know each other and the replica is in sync.</summary>
    public static async Task<SentinelTopology> StartAsync(SentinelTimings? timings = null, string serviceName = DefaultServiceName)
    {
        var started = new List<IAsyncDisposable>();
        try
        {
            // No wait before a full sync (5 s by default): the replica is in sync at once, and so is the old primary after a failover.
            string[] replication = ["--repl-diskless-sync-delay", "0"];
            var primary = await RedisServer.StartAsync(replication);
            started.Add(primary);
            var proxy = FaultProxy.Start(primary.Port);
            started.Add(proxy);
            var replica = await RedisServer.StartAsync(
                [.. replication, "--replicaof", "127.0.0.1", proxy.Port.ToString(CultureInfo.InvariantCulture), "--bind-source-addr", ReplicaSourceAddress.ToString()]);
            started.Add(replica);
            var sentinels = new List<SentinelServer>();
            for (var i = 0; i < 3; i++)
            {
                var sentinel = await SentinelServer.StartAsync(serviceName, proxy.Port, timings ?? new SentinelTimings());
                started.Add(sentinel);
                sentinels.Add(sentinel);
            }

            var servers = await ConnectionMultiplexer.ConnectAsync(AdminOptions(primary.Port, replica.Port));
            started.Add(servers);
            var sentinelOptions = AdminOptions([.. sentinels.Select(sentinel => sentinel.Port)]);
            sentinelOptions.CommandMap = CommandMap.Sentinel;
            var sentinelConnection = await ConnectionMultiplexer.SentinelConnectAsync(sentinelOptions);
            started.Add(sentinelConnection);

            var topology = new SentinelTopology(serviceName, primary, proxy, replica, sentinels, servers, sentinelConnection);
            await topology.WaitUntilSettledAsync();
            return topology;
        }
        catch
        {
            foreach (var part in Enumerable.Reverse(started))
            {
                await part.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The primary's port as each Sentinel names it now (null where a Sentinel does not answer).</summary>
    public async Task<IReadOnlyList<int?>> PrimaryPortsAsync()
    {
        var ports = new List<int?>();
        foreach (var sentinel in Sentinels)
        {
            try
            {
                var address = await _sentinels.GetServer("127.0.0.1", sentinel.Port).SentinelGetMasterAddressByNameAsync(ServiceName);
                ports.Add((address as IPEndPoint)?.Port);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                ports.Add(null);
            }
        }

        return ports;
    }

    /// <summary>Holds the replica's replication link (and only it): from now on the replica gets none of the primary's writes.</summary>
    public Task HoldReplicationAsync() => PrimaryProxy.HoldAsync(only: client => client.Address.Equals(ReplicaSourceAddress));

    /// <summary>Delivers what the replica's link held and lets replication go on.</summary>
    public Task ResumeReplicationAsync() => PrimaryProxy.HealAsync();

    /// <summary>Waits until the replica has applied everything the primary had written when this was called.</summary>
    public async Task WaitForReplicaInSyncAsync(TimeSpan? timeout = null)
    {
        var primaryOffset = long.Parse((await ReplicationAsync(Primary))["master_repl_offset"], CultureInfo.InvariantCulture);
        var within = timeout ?? DefaultWait;
        var replica = await Eventually.ValueAsync(() => ReplicationAsync(Replica),
            info => info.TryGetValue("slave_repl_offset", out var offset) && long.Parse(offset, CultureInfo.InvariantCulture) >= primaryOffset, within);
        if (!(replica.TryGetValue("slave_repl_offset", out var last) && long.Parse(last, CultureInfo.InvariantCulture) >= primaryOffset))
        {
            Assert.Fail($"Within {within.TotalSeconds} s, the replica on port {Replica.Port} did not catch up with offset {primaryOffset}: " +
                        $"{Describe(replica)}{Environment.NewLine}primary: {Describe(await ReplicationAsync(Primary))}{Environment.NewLine}{Logs()}");
        }
    }

    /// <summary>
    /// SIGKILLs the primary and waits until every Sentinel names the replica as the primary and the replica says it is
    /// one; returns the replica.
    /// </summary>
    public async Task<RedisServer> KillPrimaryAndWaitForFailoverAsync(TimeSpan? timeout = null)
    {
        Primary.Kill();
        await Eventually.TrueAsync(async () => (await PrimaryPortsAsync()).All(port => port == Replica.Port), timeout ?? DefaultWait,
            $"the Sentinels never all named the replica on port {Replica.Port} as the primary (they say {string.Join(", ", await PrimaryPortsAsync())})");
        await Eventually.TrueAsync(async () => (await ReplicationAsync(Replica)).GetValueOrDefault("role") == "master", timeout ?? DefaultWait,
            $"the replica on port {Replica.Port} never became a primary");
        return Replica;
    }

    /// <summary>INFO replication of <paramref name="server"/>, as name → value (empty when it does not answer).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReplicationAsync(RedisServer server)
    {
        try
        {
            var info = await _servers.GetServer("127.0.0.1", server.Port).InfoAsync("replication");
            return info.SelectMany(section => section).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return new Dictionary<string, string>();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sentinels.DisposeAsync();
        await _servers.DisposeAsync();
        foreach (var sentinel in Sentinels)
        {
            await sentinel.DisposeAsync();
        }

        await Replica.DisposeAsync();
        await PrimaryProxy.DisposeAsync();
        await Primary.DisposeAsync();
    }

    /// <summary>
    /// Until every Sentinel knows the other two and the replica (they find each other through the primary, every
    /// two seconds), and the replica is in sync: only then can a failover reach its quorum and promote the replica.
    /// </summary>
    private async Task WaitUntilSettledAsync()
    {
        foreach (var sentinel in Sentinels)
        {
            if (!await Eventually.ValueAsync(() => KnowsEverythingAsync(sentinel), knows => knows, DefaultWait))
            {
                Assert.Fail($"Within {DefaultWait.TotalSeconds} s, the Sentinel on port {sentinel.Port} did not know the other Sentinels and the replica: " +
                            $"{await DescribeAsync(sentinel)}{Environment.NewLine}{Logs()}");
            }
        }

        await WaitForReplicaInSyncAsync();
    }

    private async Task<bool> KnowsEverythingAsync(SentinelServer sentinel)
    {
        try
        {
            var server = _sentinels.GetServer("127.0.0.1", sentinel.Port);
            var master = (await server.SentinelMasterAsync(ServiceName)).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
            return master.GetValueOrDefault("num-other-sentinels") == (Sentinels.Count - 1).ToString(CultureInfo.InvariantCulture)
                   && master.GetValueOrDefault("num-slaves") == "1"
                   && (await server.SentinelReplicasAsync(ServiceName)).All(replica =>
                       replica.Any(pair => pair.Key == "master-link-status" && pair.Value == "ok"));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    private string Logs() =>
        string.Join(Environment.NewLine, Sentinels.Select(each => each.Output).Append(Primary.Output).Append(Replica.Output));

    private static string Describe(IReadOnlyDictionary<string, string> info) => string.Join(", ", info.Select(pair => $"{pair.Key}={pair.Value}"));

    private async Task<string> DescribeAsync(SentinelServer sentinel)
    {
        try
        {
            var server = _sentinels.GetServer("127.0.0.1", sentinel.Port);
            return string.Join(", ", (await server.SentinelMasterAsync(ServiceName)).Select(pair => $"{pair.Key}={pair.Value}")) + Environment.NewLine +
                   string.Join(Environment.NewLine, (await server.SentinelReplicasAsync(ServiceName)).Select(replica => string.Join(", ", replica.Select(pair => $"{pair.Key}={pair.Value}"))));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return e.Message;
        }
    }

    private static ConfigurationOptions AdminOptions(params int[] ports)
    {
        var options = new ConfigurationOptions
        {
            AllowAdmin = true,
            AbortOnConnectFail = false,
            ConnectTimeout = 2000,
            AsyncTimeout = 2000,
            SyncTimeout = 2000,
            ReconnectRetryPolicy = new LinearRetry(200),
        };
        foreach (var port in ports)
        {
            options.EndPoints.Add("127.0.0.1", port);
        }

        return options;
    }
}
