using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// Gateways on a Redis Cluster: three gateway processes with <c>REDIS_URL</c> naming one node of a three-primary
/// Redis Cluster (StackExchange.Redis finds the others). The cluster's keys share one hash tag, so its scripts and
/// streams live on one node; this checks that every command the gateways use works in cluster mode.
/// </summary>
[Integration]
[Collection(ClusterCollection.Name)]
public sealed class RedisClusterTests
{
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
        var clients = bed.Instances.Select(instance => instance.CreateClient()).ToArray();
        try
        {
            for (var writer = 0; writer < clients.Length; writer++)
            {
                var id = $"CREATED-{writer}";
                using var created = await ClusterTestBed.CreateAsync(clients[writer], id);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                for (var reader = 0; reader < clients.Length; reader++)
                {
                    using var read = await clients[reader].GetAsync($"/products/{id}");
                    Assert.True(read.StatusCode == HttpStatusCode.OK, $"{id} created through gw-{writer}: gw-{reader} answered {(int)read.StatusCode} ({read.Source()})");
                }
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
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
