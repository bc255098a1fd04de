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
            await using var gateway = Gateways.Build().WithUpstream(upstream.Url!).WithIds(["SKU-1"]).WithRedis(redis)
                .WithSetting("EdgeGuard:Cache:EagerRefreshThreshold", "")
                .WithSetting("EdgeGuard:Cache:PositiveTtl", shortenedBy == "PositiveTtl" ? "00:00:01" : null)
                .InProcess();
            using var client = await gateway.CreateReadyClientAsync();

            await Expiry.AssertCachedUntilItExpiresAsync(client, upstream, "SKU-1", HttpStatusCode.OK, "cache");
        }
        finally
        {
            upstream.Stop();
        }
    }
}
