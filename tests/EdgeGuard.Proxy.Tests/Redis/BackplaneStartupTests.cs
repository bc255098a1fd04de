using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// A gateway that starts before its Redis (a container ordering, a Redis restarting) must still hear the other instances'
/// cache messages once Redis is up: its memory is kept coherent through the backplane's channel. FusionCache subscribes
/// to that channel once, when the backplane is set up, and logs an error after three failed attempts in 750 ms; the
/// subscription is made all the same once Redis is there (StackExchange.Redis keeps it and subscribes on connecting).
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class BackplaneStartupTests
{
    [Fact]
    public async Task Gateway_started_before_its_redis_subscribes_to_the_cache_backplane_once_redis_is_up()
    {
        await using var redis = await RedisServer.StartAsync();
        redis.Kill(); // its port is known; nothing listens on it
        var catalog = Upstream.StartCatalog();
        try
        {
            await using var gateway = new GatewayFactory(catalog.Url!, ["SKU-1"], new Dictionary<string, string?>
            {
                ["REDIS_URL"] = redis.Url,
                ["EdgeGuard:Cache:RedisTimeout"] = "00:00:00.500",
            });
            using var client = gateway.CreateClient();
            var cache = gateway.Services.GetRequiredService<ProductCache>(); // the cache, its backplane set up (or not) now
            Assert.True(cache.IsDistributed);
            await Task.Delay(TimeSpan.FromSeconds(1)); // longer than FusionCache's three attempts: the clock is the subject

            await redis.StartAsync(CancellationToken.None);
            using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");

            // The backplane's channel is the cluster's name plus FusionCache's suffix: any channel of that prefix with a
            // subscriber is it.
            await Eventually.TrueAsync(async () => (await admin.GetServer(admin.GetEndPoints().Single())
                    .SubscriptionChannelsAsync(RedisChannel.Pattern("edgeguard.cache*"))).Length > 0,
                TimeSpan.FromSeconds(15), "the gateway did not subscribe to the cache's backplane after Redis came up");
        }
        finally
        {
            catalog.Stop();
        }
    }
}
