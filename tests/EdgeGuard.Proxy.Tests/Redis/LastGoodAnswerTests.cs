using System.Net;
using System.Text.Json;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// With the catalog failing, FusionCache's circuit around Redis open (reads of Redis timed out) and nothing in its own
/// memory, an instance looks in Redis once more, past the circuit, before it answers 5xx: an answer another instance
/// cached there is served. Here instance B's circuit is opened by reads the test fails on purpose, then Redis answers
/// again while the circuit stays open.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class LastGoodAnswerTests
{
    private const string Cached = "HAVE-1";
    private const string Other = "HAVE-2";

    [Fact]
    public async Task Catalog_failing_and_the_circuit_open_an_answer_another_instance_cached_in_redis_is_served_not_a_5xx()
    {
        await using var redis = await RedisServer.StartAsync();
        var catalog = Upstream.StartCatalog();
        try
        {
            foreach (var id in new[] { Cached, Other })
            {
                catalog.Given(Request.Create().WithPath("/products/" + id).UsingGet()).AtPriority(10)
                    .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody($$"""{"id":"{{id}}"}"""));
            }

            Dictionary<string, string?> Settings(string clusterName) => new()
            {
                ["REDIS_URL"] = redis.Url,
                ["EdgeGuard:Cluster:Name"] = clusterName,
                ["EdgeGuard:Cache:PositiveTtl"] = "00:02:00",
                ["EdgeGuard:Cache:RedisTimeout"] = "00:00:02",
                ["EdgeGuard:Cache:RedisBreakDuration"] = "00:05:00",
            };

            // B shares A's Redis and entries; with a cluster name of its own it is not a member of A's cluster, which two
            // gateways in one test process cannot be.
            GatewayBuilder Gateway(string clusterName) => Gateways.Build().WithUpstream(catalog.Url!).WithIds([Cached, Other]).WithSettings(Settings(clusterName));
            await using var a = Gateway("edgeguard").InProcess();
            RedisReadSwitch? reads = null;
            await using var b = Gateway("edgeguard-b").WithServices(services => reads = RedisReadSwitch.Install(services)).InProcess();
            using var clientA = await a.CreateReadyClientAsync();
            using var clientB = await b.CreateReadyClientAsync();
            using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");

            using (var first = await clientA.GetAsync("/products/" + Cached))
            {
                Assert.Equal((HttpStatusCode.OK, "upstream"), (first.StatusCode, first.Source()));
            }

            await Eventually.TrueAsync(() => admin.GetDatabase().KeyExistsAsync(CacheKeys.Product(Cached)), TimeSpan.FromSeconds(10),
                "A's answer never reached Redis");

            // B's reads of Redis fail until its circuit opens; then Redis answers B again, the circuit stays open (5 min).
            reads!.Failing = true;
            using (var opening = await clientB.GetAsync("/products/" + Other))
            {
                Assert.Equal(HttpStatusCode.OK, opening.StatusCode); // the catalog still answers
            }

            var bCache = b.Services.GetRequiredService<ProductCache>();
            await Eventually.TrueAsync(() => Task.FromResult(bCache.CircuitOpen), TimeSpan.FromSeconds(10), "B's circuit around Redis never opened");
            reads.Failing = false;

            // The catalog fails from now on.
            catalog.Given(Request.Create().WithPath("/products/" + Cached).UsingGet()).AtPriority(1)
                .RespondWith(Response.Create().WithStatusCode(503).WithBody("down"));

            using var read = await clientB.GetAsync("/products/" + Cached);

            Assert.True(bCache.CircuitOpen);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("cache", read.Source()); // still fresh: A fetched it a moment ago
            Assert.Equal(Cached, JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());
        }
        finally
        {
            catalog.Stop();
        }
    }
}
