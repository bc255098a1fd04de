using System.Diagnostics;
using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests.Budget;

/// <summary>The budget with Redis as L2: a refused fill leaves nothing behind in the cluster.</summary>
[Integration]
public sealed class ClientBudgetRedisTests
{
    [Fact]
    public async Task A_refused_fill_leaves_no_entry_and_no_lock_for_the_next_client()
    {
        using var catalog = Upstream.StartCatalog();
        catalog.Given(Request.Create().WithPath(new WildcardMatcher("/products/*")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{}"));
        await using var redis = await RedisServer.StartAsync();
        await using var gateway = await BudgetGateway.StartAsync(catalog.Url!, ["SKU-1", "SKU-2"], new Dictionary<string, string?>
        {
            ["REDIS_URL"] = redis.Url,
            ["EdgeGuard:ClientBudget:UpstreamPerSecond"] = "0.1",
            ["EdgeGuard:ClientBudget:Burst"] = "1",
            // A fill's distributed lock left held would make the next miss for the id wait this long.
            ["EdgeGuard:Cache:DistributedLockTimeout"] = "00:00:10",
        });
        var held = gateway.Client("127.0.0.1");
        var other = gateway.Client("127.0.0.2");

        using var spent = await held.GetAsync("/products/SKU-1");
        using var refused = await held.GetAsync("/products/SKU-2");
        // Neither the entry nor the fill's lock is in Redis after the refusal ("*0": no key names the id).
        // (A lock a slow Redis granted after its caller stopped waiting is released as soon as it is granted.)
        var left = await Eventually.ValueAsync(() => redis.SendAsync("KEYS", "*SKU-2*"), keys => keys == "*0\r\n", TimeSpan.FromSeconds(2));
        var started = Stopwatch.StartNew();
        using var served = await other.GetAsync("/products/SKU-2");
        var waited = started.Elapsed;

        Assert.Equal(HttpStatusCode.OK, spent.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("*0\r\n", left);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("upstream", served.Source()); // the refusal was stored nowhere: a real fill
        Assert.True(waited < TimeSpan.FromSeconds(3), $"the next client waited {waited.TotalSeconds:F1} s for a lock the refused fill kept");
        Assert.Equal(1, catalog.CallsTo("/products/SKU-2"));
    }
}
