using EdgeGuard.Testing.Faults;
using EdgeGuard.Testing.Redis;
using StackExchange.Redis;

namespace EdgeGuard.Testing.Tests.Faults;

/// <summary>A real redis-server behind the fault proxy, a real StackExchange.Redis client in front of it.</summary>
[Integration]
public sealed class FaultProxyRedisTests
{
    [Fact]
    public async Task A_command_times_out_while_held_and_completes_once_healed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var proxy = FaultProxy.Start(redis.Port);
        await using var client = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", proxy.Port } },
            AsyncTimeout = 500,
            SyncTimeout = 500,
            ConnectTimeout = 5000,
        });
        var db = client.GetDatabase();
        Assert.True(await db.StringSetAsync("before", "1"));

        await proxy.HoldAsync();
        var forwarded = proxy.Counters.Upstream.Forwarded;
        await Assert.ThrowsAsync<RedisTimeoutException>(() => db.StringSetAsync("held", "written"));
        await proxy.WaitUntilAsync(c => c.Upstream.Held > 0, "the SET held");
        Assert.Equal(forwarded, proxy.Counters.Upstream.Forwarded);
        Assert.Equal("$-1\r\n", await redis.SendAsync("GET", "held")); // Redis never saw the SET

        await proxy.HealAsync();
        Assert.Equal("written", await db.StringGetAsync("held")); // the held SET went through, then the GET
        await proxy.WaitUntilAsync(c => c.BytesHeld == 0, "nothing held");
    }
}
