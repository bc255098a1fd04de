using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// Gateways on Redis as it is run for availability or size. On <c>redis-sentinel://</c>: three gateway processes on a
/// primary with a replica and three real Sentinels; they find the primary through the Sentinels, and when it is killed
/// they follow the failover by themselves: reads and writes work again on the promoted replica. A failover to a replica
/// that missed the last writes (replication is asynchronous; here its link is held) loses stream entries every
/// instance applied: each notices, reloads from the sources, and a write acknowledged before it is never a 404. On a
/// Redis Cluster:
/// <c>REDIS_URL</c> names one node of a three-primary cluster (StackExchange.Redis finds the others); the cluster's
/// keys share one hash tag, so its scripts and streams live on one node, and every command the gateways use works.
/// </summary>
[Integration]
[Collection(ClusterCollection.Name)]
public sealed class RedisTopologyTests
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Gateways_follow_a_failover_and_serve_reads_and_writes_again()
    {
        await using var sentinels = await SentinelTopology.StartAsync();
        await using var bed = await ClusterTestBed.StartOnAsync(sentinels.Url, Admin(sentinels), ["HAVE-1", "HAVE-2"]);
        var clients = bed.Clients;
        await clients[0].AssertCreatedAsync("BEFORE-1");
        await AssertServedEverywhereAsync(clients, "BEFORE-1");
        await sentinels.WaitForReplicaInSyncAsync();

        await sentinels.KillPrimaryAndWaitForFailoverAsync();

        // Writes through every instance work again once each has found the new primary.
        for (var i = 0; i < clients.Length; i++)
        {
            var id = $"AFTER-{i}";
            var status = await Eventually.ValueAsync(async () =>
            {
                using var response = await clients[i].CreateProductAsync(id);
                return response.StatusCode;
            }, status => status == HttpStatusCode.Created, Recovery);
            Assert.True(status == HttpStatusCode.Created, $"gw-{i} never took a create again after the failover (last: {(int)status}):{Environment.NewLine}{bed.Instances[i].Output}");
        }

        foreach (var id in new[] { "BEFORE-1", "AFTER-0", "AFTER-1", "AFTER-2", "HAVE-2" })
        {
            await AssertServedEverywhereAsync(clients, id);
        }

        // And each instance trusts its filter again: a missing id is rejected by it.
        for (var i = 0; i < clients.Length; i++)
        {
            var client = clients[i];
            var source = await Eventually.ValueAsync(async () =>
            {
                using var response = await client.GetAsync($"/products/MISSING-{Guid.NewGuid():N}");
                return response.StatusCode == HttpStatusCode.NotFound ? response.Source() : $"{(int)response.StatusCode} {response.Source()}";
            }, source => source == "bloom", Recovery);
            Assert.True(source == "bloom", $"gw-{i} did not reject a missing id with its filter after the failover (last: {source})");
        }
    }

    [Fact]
    public async Task A_write_acknowledged_before_a_failover_to_a_replica_that_missed_it_is_never_a_404()
    {
        await using var sentinels = await SentinelTopology.StartAsync();
        await using var bed = await ClusterTestBed.StartOnAsync(sentinels.Url, Admin(sentinels), ["HAVE-1"]);
        var clients = bed.Clients;
        await sentinels.WaitForReplicaInSyncAsync();

        // From here the replica gets none of the primary's writes: the create's entries reach the primary's stream alone.
        await sentinels.HoldReplicationAsync();
        await clients[0].AssertCreatedAsync("LOST-1");
        await AssertServedEverywhereAsync(clients, "LOST-1");
        Assert.False((await sentinels.ReplicationAsync(sentinels.Replica)).Count == 0, "the replica stopped answering");

        await sentinels.KillPrimaryAndWaitForFailoverAsync();

        // Until every instance rejects missing ids with its filter again (it reloaded, and trusts it), and after: the
        // acknowledged create is answered by every instance, never 404.
        var recovered = new bool[clients.Length];
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!recovered.All(done => done) && started.Elapsed < Recovery)
        {
            for (var i = 0; i < clients.Length; i++)
            {
                using (var read = await clients[i].GetAsync("/products/LOST-1"))
                {
                    Assert.True(read.StatusCode != HttpStatusCode.NotFound,
                        $"gw-{i} answered 404 ({read.Source()}) for a create acknowledged before the failover:{Environment.NewLine}{bed.Instances[i].Output}");
                }

                using var missing = await clients[i].GetAsync($"/products/MISSING-{Guid.NewGuid():N}");
                recovered[i] |= missing.StatusCode == HttpStatusCode.NotFound && missing.Source() == "bloom";
            }
        }

        Assert.True(recovered.All(done => done), $"not every instance trusted its filter again within {Recovery.TotalSeconds} s: {string.Join(", ", recovered)}");
        Assert.Contains(bed.Instances, instance => instance.Output.Contains("lost", StringComparison.OrdinalIgnoreCase));
        await AssertServedEverywhereAsync(clients, "LOST-1");
    }

    [Fact]
    public async Task A_gateway_started_while_no_sentinel_answers_connects_once_they_do()
    {
        await using var sentinels = await SentinelTopology.StartAsync();
        await using var bed = await ClusterTestBed.StartOnAsync(sentinels.Url, Admin(sentinels), ["HAVE-1"], instances: 0);
        foreach (var sentinel in sentinels.Sentinels)
        {
            sentinel.Kill();
        }

        var connectTimeout = TimeSpan.FromSeconds(1);
        var gateway = bed.StartInstance("gw-early", new Dictionary<string, string?> { ["EdgeGuard__Cache__RedisConnectTimeout"] = connectTimeout.ToString() });
        var client = gateway.Client;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var live = await client.GetAsync("/health");
                return live.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, Recovery, "the gateway never answered /health");

        // The outage lasts three connect timeouts from here: a first connect to the Sentinels gives up meanwhile.
        await Task.Delay(3 * connectTimeout);
        Assert.False(gateway.HasExited, $"the gateway gave up while no Sentinel answered:{Environment.NewLine}{gateway.Output}");
        using (var notReady = await client.GetAsync("/health/ready"))
        {
            Assert.NotEqual(HttpStatusCode.OK, notReady.StatusCode);
        }

        foreach (var sentinel in sentinels.Sentinels)
        {
            await sentinel.StartAsync(); // same port, same configuration: it still knows the primary
        }

        await gateway.WaitUntilReadyAsync(Recovery);
        await client.AssertCreatedAsync("LATE-1");
    }

    [Fact]
    public async Task Gateways_on_a_redis_cluster_agree_on_creates_and_reject_missing_ids()
    {
        await using var redis = await RedisClusterTopology.StartAsync();
        var admin = new ConfigurationOptions();
        foreach (var node in redis.Nodes)
        {
            admin.EndPoints.Add(IPAddress.Loopback, node.Port);
        }

        await using var bed = await ClusterTestBed.StartOnAsync(redis.Url, admin, ["HAVE-1", "HAVE-2"]);
        var clients = bed.Clients;
        for (var writer = 0; writer < clients.Length; writer++)
        {
            await clients[writer].AssertCreatedAsync($"CREATED-{writer}");
            await AssertServedEverywhereAsync(clients, $"CREATED-{writer}");
        }

        for (var i = 0; i < clients.Length; i++)
        {
            using var missing = await clients[i].GetAsync($"/products/MISSING-{i}");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("bloom", missing.Source());
            using var existing = await clients[i].GetAsync("/products/HAVE-2");
            Assert.Equal(HttpStatusCode.OK, existing.StatusCode);
        }

        Assert.All(bed.Instances, instance => Assert.DoesNotContain("CROSSSLOT", instance.Output, StringComparison.Ordinal));
        Assert.All(bed.Instances, instance => Assert.DoesNotContain("MOVED", instance.Output, StringComparison.Ordinal));
    }

    private static ConfigurationOptions Admin(SentinelTopology sentinels)
    {
        var admin = new ConfigurationOptions { ServiceName = sentinels.ServiceName };
        foreach (var sentinel in sentinels.Sentinels)
        {
            admin.EndPoints.Add(IPAddress.Loopback, sentinel.Port);
        }

        return admin;
    }

    private static async Task AssertServedEverywhereAsync(HttpClient[] clients, string id)
    {
        for (var i = 0; i < clients.Length; i++)
        {
            using var response = await clients[i].GetAsync($"/products/{id}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"gw-{i} answered {(int)response.StatusCode} ({response.Source()}) for {id}");
        }
    }
}
