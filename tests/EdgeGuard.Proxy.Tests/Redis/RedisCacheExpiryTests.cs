using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// With Redis, memory (L1) keeps entries for <c>MemoryTtl</c> (30 s by default). An answer fresh for less (a short
/// <c>PositiveTtl</c>, the catalog's <c>max-age</c>) must still be fetched again once it is no longer fresh, not
/// answered from memory until <c>MemoryTtl</c>. On the real clock, as <see cref="CacheExpiryTests"/>: the clock is the
/// subject here, not a race.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class RedisCacheExpiryTests
{
    [Theory]
    [InlineData("PositiveTtl")]
    [InlineData("max-age")]
    public async Task Answer_fresh_for_less_than_the_memory_ttl_is_fetched_again_once_it_expires(string shortenedBy)
    {
        await using var redis = await RedisServer.StartAsync();
        var upstream = Upstream.StartCatalog();
        try
        {
            var answer = Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"id":"SKU-1"}""");
            if (shortenedBy == "max-age")
            {
                answer = answer.WithHeader("Cache-Control", "max-age=1");
            }

            upstream.Given(Request.Create().WithPath("/products/SKU-1").UsingGet()).RespondWith(answer);
            var settings = new Dictionary<string, string?>
            {
                ["REDIS_URL"] = redis.Url,
                ["EdgeGuard:Cache:RedisTimeout"] = "00:00:00.500",
                ["EdgeGuard:Cache:EagerRefreshThreshold"] = "",
            };
            if (shortenedBy == "PositiveTtl")
            {
                settings["EdgeGuard:Cache:PositiveTtl"] = "00:00:01";
            }

            await using var gateway = new GatewayFactory(upstream.Url!, ["SKU-1"], settings);
            using var client = await gateway.CreateReadyClientAsync();

            using var first = await client.GetAsync("/products/SKU-1");
            using var cached = await client.GetAsync("/products/SKU-1");
            await Task.Delay(TimeSpan.FromSeconds(1.3));
            using var refetched = await client.GetAsync("/products/SKU-1");

            Assert.Equal("upstream", first.Source());
            Assert.Equal("cache", cached.Source());
            Assert.Equal("upstream", refetched.Source());
            Assert.Equal(2, upstream.CallsTo("/products/SKU-1"));
        }
        finally
        {
            upstream.Stop();
        }
    }
}
