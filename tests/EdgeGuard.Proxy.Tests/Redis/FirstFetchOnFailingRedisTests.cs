using EdgeGuard.Proxy.Caching;
using EdgeGuard.Testing.Faults;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// A first fetch whose Redis read got no answer takes no distributed lock: the lock's attempt would wait for the same
/// silent Redis a second time before the miss went on without it. Redis sits behind a fault proxy that holds every
/// byte, so the attempt, if made, is kept and reaches Redis (as a SET) once the link heals.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class FirstFetchOnFailingRedisTests
{
    [Fact]
    public async Task First_fetch_whose_redis_read_failed_fetches_without_trying_the_lock()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var link = FaultProxy.Start(redis.Port);
        string[] ids = ["WARM-1", "COLD-1"];
        await using var catalog = await ScriptedCatalog.StartAsync(ids);
        await using var gateway = Gateways.Build().WithUpstream(catalog.Url).WithIds(ids).WithRedis($"redis://127.0.0.1:{link.Port}")
            .WithSetting("EdgeGuard:Cache:RedisTimeout", "00:00:00.300")
            .WithQuietCluster()
            .InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(admin.GetEndPoints().Single());
        var gatewayRedis = (await gateway.Services.GetRequiredService<RedisConnection>().ConnectAsync()).GetDatabase();

        using (var warm = await client.GetAsync("/products/WARM-1"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await gatewayRedis.PingAsync(); // whatever the warm read sent has been run
        var before = await CommandStats.ReadAsync(server);

        await link.HoldAsync();
        using (var cold = await client.GetAsync("/products/COLD-1"))
        {
            Assert.Equal(HttpStatusCode.OK, cold.StatusCode);
            Assert.Equal("upstream", cold.Source());
        }

        Assert.True(link.Counters.BytesHeld > 0, $"the miss sent Redis nothing to hold: {link.Counters}");
        await link.HealAsync();
        await gatewayRedis.PingAsync(); // sent after everything held, on the same connection: run after it

        var after = await CommandStats.ReadAsync(server);
        Assert.True(CommandStats.Calls(after, "hmget") > CommandStats.Calls(before, "hmget"), "the miss's held cache read never reached Redis");
        Assert.Equal(CommandStats.Calls(before, "set"), CommandStats.Calls(after, "set"));
        Assert.Equal(2, catalog.ProductReads); // WARM-1 and COLD-1, once each
    }
}
