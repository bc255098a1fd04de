using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary>
/// A shared route on two gateway instances sharing a real redis-server: the answer one instance fetched is served by
/// the other from Redis without asking the origin, under the key <c>cache:http:GET {path}</c>, and a POST through one
/// instance invalidates the URL on the other.
/// </summary>
[Collection(RedisCollection.Name)]
[Integration]
public sealed class SharedRouteRedisTests : IAsyncLifetime
{
    private readonly WireMockServer _origin = Upstream.StartCatalog();
    private RedisServer _redis = null!;
    private InProcessGateway _first = null!;
    private InProcessGateway _second = null!;

    public async Task InitializeAsync()
    {
        _origin.Given(Request.Create().WithPath("/catalog/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Cache-Control", "max-age=600").WithBody("list"));
        _origin.Given(Request.Create().WithPath("/catalog/list").UsingPost()).RespondWith(Response.Create().WithStatusCode(204));
        _redis = await RedisServer.StartAsync();
        var gateway = Gateways.Build().WithUpstream(_origin.Url!).WithSharedCatchAllRoute().WithRedis(_redis);
        _first = gateway.InProcess();
        _second = gateway.InProcess();
    }

    [Fact]
    public async Task One_instance_fetches_the_other_serves_it_from_redis_and_a_post_through_either_invalidates_both()
    {
        using var first = await _first.CreateReadyClientAsync();
        using var second = await _second.CreateReadyClientAsync();

        using (var fetched = await first.GetAsync("/catalog/list"))
        {
            Assert.Equal("upstream", fetched.Source());
        }

        using (var fromRedis = await second.GetAsync("/catalog/list"))
        {
            Assert.Equal("cache", fromRedis.Source());
            Assert.Equal("list", await fromRedis.Content.ReadAsStringAsync());
        }

        await using (var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Url.Replace("redis://", "")))
        {
            Assert.True(await admin.GetDatabase().KeyExistsAsync(CacheKeys.Http("GET /catalog/list")));
        }

        using (var post = await second.PostAsync("/catalog/list", new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.NoContent, post.StatusCode);
        }

        // The first instance's memory hears of it over the backplane.
        var source = await Eventually.ValueAsync(async () =>
        {
            using var again = await first.GetAsync("/catalog/list");
            return again.Source();
        }, s => s == "upstream", TimeSpan.FromSeconds(5));

        Assert.Equal("upstream", source);
        Assert.Equal(2, _origin.LogEntries.Count(e => e.RequestMessage?.Method == "GET" && e.RequestMessage.Path != Upstream.HealthPath));
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _redis.DisposeAsync();
        _origin.Stop();
    }
}
