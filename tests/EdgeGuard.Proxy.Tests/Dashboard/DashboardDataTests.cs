using EdgeGuard.Proxy.Tests.Redis;

namespace EdgeGuard.Proxy.Tests.Dashboard;

/// <summary>
/// <c>/dashboard/data</c> in the states a person needs it most: a filter that never loaded (LEAKING), and a cluster on
/// Redis (the Redis circuit, the instances, L2 hits).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DashboardDataTests
{
    [Fact]
    public async Task A_filter_that_never_loaded_is_shown_leaking()
    {
        // The catalog is unreachable and the filter is to be loaded from it: it never loads, every id is forwarded.
        await using var gateway = Gateways.Build().WithIds([]).LoadingFromCatalog().InProcess();
        using var client = gateway.CreateClient();

        using var data = await DataAsync(client);

        Assert.Equal("leaking", data.RootElement.GetProperty("verdict").GetString());
        Assert.Contains("not loaded", data.RootElement.GetProperty("verdict_reason").GetString(), StringComparison.Ordinal);
        Assert.False(data.RootElement.GetProperty("filter").GetProperty("ready").GetBoolean());
        Assert.Equal(0, data.RootElement.GetProperty("filter").GetProperty("memory_bytes").GetDouble()); // no filter holds memory yet
        using var readiness = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
    }

    [Integration]
    [Fact]
    public async Task A_cluster_shows_its_instances_its_redis_circuit_and_hits_found_in_redis()
    {
        await using var bed = await RedisTestBed.StartAsync(["L2-1"]);
        bed.StubProduct("L2-1");
        await using var other = bed.Builder.InProcess();
        using var otherClient = await other.CreateReadyClientAsync();

        // The first instance fetches and stores in Redis; the second finds the answer there (not in its memory).
        Assert.Equal("upstream", (await bed.GetAsync("L2-1")).Source);
        using (await DataAsync(otherClient)) { }
        using (var found = await otherClient.GetAsync("/products/L2-1"))
        {
            Assert.Equal("cache", found.Source());
        }

        await Task.Delay(1000); // the next sample
        using var data = await DataAsync(otherClient);
        var root = data.RootElement;
        Assert.True(root.GetProperty("cache").GetProperty("distributed").GetBoolean());
        Assert.False(root.GetProperty("cache").GetProperty("circuit_open").GetBoolean());
        Assert.True(root.GetProperty("cluster").GetProperty("clustered").GetBoolean());
        Assert.True(root.GetProperty("cluster").GetProperty("instances").GetDouble() >= 1);
        Assert.Equal(1, root.GetProperty("now").GetProperty("cache_hit_ratio").GetDouble());
        Assert.True(root.GetProperty("now").GetProperty("distributed_hit_share").GetDouble() > 0, root.GetProperty("now").ToString());
    }

    private static async Task<JsonDocument> DataAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/dashboard/data");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.MediaType());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
