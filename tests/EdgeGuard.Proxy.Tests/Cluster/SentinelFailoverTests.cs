using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// Gateways on <c>redis-sentinel://</c>: three gateway processes on a primary with a replica and three real
/// Sentinels. They find the primary through the Sentinels, and when it is killed they follow the failover by
/// themselves: reads and writes work again on the promoted replica.
/// </summary>
[Integration]
[Collection(ClusterCollection.Name)]
public sealed class SentinelFailoverTests
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Gateways_follow_a_failover_and_serve_reads_and_writes_again()
    {
        await using var sentinels = await SentinelTopology.StartAsync();
        await using var bed = await ClusterTestBed.StartOnAsync(sentinels.Url, Admin(sentinels), ["HAVE-1", "HAVE-2"]);
        var clients = bed.Instances.Select(instance => instance.CreateClient()).ToArray();
        using var created = await ClusterTestBed.CreateAsync(clients[0], "BEFORE-1");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await AssertServedEverywhereAsync(clients, "BEFORE-1");
        await sentinels.WaitForReplicaInSyncAsync();

        await sentinels.KillPrimaryAndWaitForFailoverAsync();

        // Writes through every instance work again once each has found the new primary.
        for (var i = 0; i < clients.Length; i++)
        {
            var id = $"AFTER-{i}";
            var status = await Eventually.ValueAsync(async () =>
            {
                using var response = await ClusterTestBed.CreateAsync(clients[i], id);
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

        foreach (var client in clients)
        {
            client.Dispose();
        }
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
        using var client = gateway.CreateClient();
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
        using var created = await ClusterTestBed.CreateAsync(client, "LATE-1");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
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
