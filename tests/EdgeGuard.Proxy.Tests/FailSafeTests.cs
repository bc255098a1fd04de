using System.Diagnostics;
using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// Stale-if-error: when the catalog fails (5xx, a hang, unreachable), the last good answer for an id, at most
/// FailSafeMaxAge old, is served with <c>X-EdgeGuard-Source: stale</c>; a catalog that hangs gets a soft timeout
/// (stale at once, the fetch goes on); never-cached ids still fail fast; a 404 is never served stale. Hot entries
/// are refreshed before they expire, so their readers never wait.
/// </summary>
public sealed class FailSafeTests : GatewayTestBase
{
    private volatile int _mode; // 0 healthy, 1 answers 500, 2 hangs for 3 s

    protected override IEnumerable<string> KnownIds => ["SKU-1", "SKU-2", "SKU-NEVER", "GHOST-1"];

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["EdgeGuard:Cache:PositiveTtl"] = "00:00:01",
        ["EdgeGuard:Cache:NegativeTtl"] = "00:00:01",
        ["EdgeGuard:Cache:NegativeTtlJitter"] = "00:00:00",
        ["EdgeGuard:Cache:SoftTimeout"] = "00:00:00.300",
        ["EdgeGuard:Cache:HardTimeout"] = "00:00:05",
        ["EdgeGuard:Cache:FailSafeThrottle"] = "00:00:00.500",
        ["EdgeGuard:Cache:EagerRefreshThreshold"] = "",
    };

    protected override void StubUpstream()
    {
        foreach (var id in new[] { "SKU-1", "SKU-2", "SKU-NEVER" })
        {
            Upstream.Given(Request.Create().WithPath($"/products/{id}").UsingGet()).RespondWith(Response.Create().WithCallback(async _ =>
            {
                switch (_mode)
                {
                    case 1:
                        return new ResponseMessage { StatusCode = 500 };
                    case 2:
                        await Task.Delay(TimeSpan.FromSeconds(3)); // the catalog hangs (this is its behaviour, not the test's timing)
                        break;
                }

                return new ResponseMessage { StatusCode = 200, BodyData = new WireMock.Util.BodyData { BodyAsString = $$"""{"id":"{{id}}"}""", DetectedBodyType = WireMock.Types.BodyType.String } };
            }));
        }

        Upstream.Given(Request.Create().WithPath("/products/GHOST-1").UsingGet()).RespondWith(Response.Create().WithCallback(_ =>
            new ResponseMessage { StatusCode = _mode == 0 ? 404 : 500 }));
    }

    [Fact]
    public async Task Catalog_failing_serves_the_last_good_answer_marked_stale_and_counted()
    {
        using (var fresh = await Client.GetAsync("/products/SKU-1"))
        {
            Assert.Equal("upstream", fresh.Source());
        }

        _mode = 1;
        await Task.Delay(TimeSpan.FromSeconds(1.3)); // past the positive TTL
        using var stale = await Client.GetAsync("/products/SKU-1");
        using var never = await Client.GetAsync("/products/SKU-NEVER");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("stale", stale.Source());
        Assert.Equal("""{"id":"SKU-1"}""", await stale.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadGateway, never.StatusCode); // never cached: the failure, fast
        Assert.Equal("application/problem+json", never.MediaType());
        Assert.Equal(1, (await ScrapedMetrics.ReadAsync(Client)).Value("edgeguard_stale_served_total"));

        _mode = 0;
        await Eventually.TrueAsync(async () =>
        {
            using var recovered = await Client.GetAsync("/products/SKU-1");
            return recovered.Source() is "upstream" or "cache";
        }, TimeSpan.FromSeconds(5), "the fresh answer never came back once the catalog recovered");
    }

    [Fact]
    public async Task Catalog_that_hangs_gets_a_soft_timeout_stale_at_once_and_the_fetch_goes_on()
    {
        using (await Client.GetAsync("/products/SKU-2")) { }
        _mode = 2;
        await Task.Delay(TimeSpan.FromSeconds(1.3));

        var stopwatch = Stopwatch.StartNew();
        using var stale = await Client.GetAsync("/products/SKU-2");
        var waited = stopwatch.Elapsed;

        Assert.Equal("stale", stale.Source());
        Assert.True(waited < TimeSpan.FromSeconds(1.5), $"waited {waited.TotalMilliseconds:F0} ms for a hanging catalog (soft timeout 300 ms)");
        _mode = 0;
        // The fetch that was cut short completes in the background and refreshes the entry.
        await Eventually.TrueAsync(async () =>
        {
            using var next = await Client.GetAsync("/products/SKU-2");
            return next.Source() is "cache" or "upstream";
        }, TimeSpan.FromSeconds(8), "the background fetch never refreshed the entry");
    }

    [Fact]
    public async Task Negative_entry_is_never_served_stale()
    {
        using (var miss = await Client.GetAsync("/products/GHOST-1"))
        using (var negative = await Client.GetAsync("/products/GHOST-1"))
        {
            Assert.Equal("negative-cache", negative.Source());
        }

        _mode = 1;
        await Task.Delay(TimeSpan.FromSeconds(1.3));
        using var failing = await Client.GetAsync("/products/GHOST-1");

        // A stale 404 could hide a product created meanwhile: the catalog's failure is answered instead.
        Assert.Equal(HttpStatusCode.BadGateway, failing.StatusCode);
    }
}

/// <summary>A hot id is refreshed before it expires: its readers never wait for the catalog.</summary>
public sealed class EagerRefreshTests : GatewayTestBase
{
    protected override IEnumerable<string> KnownIds => ["HOT-1"];

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["EdgeGuard:Cache:PositiveTtl"] = "00:00:04",
        ["EdgeGuard:Cache:EagerRefreshThreshold"] = "0.5",
    };

    protected override void StubUpstream() =>
        Upstream.Given(Request.Create().WithPath("/products/HOT-1").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"id":"HOT-1"}""").WithDelay(TimeSpan.FromMilliseconds(400)));

    [Fact]
    public async Task Hot_entry_is_refreshed_in_the_background_before_it_expires()
    {
        using (var first = await Client.GetAsync("/products/HOT-1"))
        {
            Assert.Equal("upstream", first.Source());
        }

        var fetched = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(2.2)); // past half of its 4 s lifetime (the threshold); the clock is the subject
        using (var hit = await Client.GetAsync("/products/HOT-1"))
        {
            Assert.Equal("cache", hit.Source()); // answered at once; the refresh runs behind it
        }

        Assert.Equal(2, await Upstream.CallsToEventuallyAsync("/products/HOT-1", 2, TimeSpan.FromSeconds(5)));
        // Past the first fetch's expiry, well within the refreshed entry's lifetime.
        await Task.Delay(TimeSpan.FromSeconds(4.5) - fetched.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
        var stopwatch = Stopwatch.StartNew();
        using var afterExpiry = await Client.GetAsync("/products/HOT-1");

        Assert.Equal("cache", afterExpiry.Source());
        // A reader that waited for the catalog would have waited its 400 ms at least; anything below is the machine.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(400), $"a reader waited {stopwatch.ElapsedMilliseconds} ms (the catalog takes 400)");
    }
}
