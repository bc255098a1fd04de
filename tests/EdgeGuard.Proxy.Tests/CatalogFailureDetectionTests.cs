namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// A catalog that hangs is a fault like one that dies: once its timeouts show it is down (YARP's passive health
/// check, transport failure rate), fetches fail at once, so an expired answer is served stale without waiting for
/// the soft timeout and a never-cached id gets a fast 503; once the reactivation period has passed, requests go
/// through again.
/// </summary>
public sealed class CatalogFailureDetectionTests : GatewayTestBase
{
    // Long enough for the first fetch of a cold gateway on a busy machine, short enough to keep the test quick.
    private static readonly TimeSpan CatalogTimeout = TimeSpan.FromSeconds(2);

    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway
        .WithIds(["CACHED-1", "COLD-1", "COLD-2", .. Enumerable.Range(0, 10).Select(i => $"HANG-{i}")])
        .WithSetting("ReverseProxy:Clusters:catalog:HttpRequest:ActivityTimeout", CatalogTimeout.ToString())
        // Out of service for long enough that the two reads after the timeouts both meet it so, however slow the machine.
        .WithSetting("ReverseProxy:Clusters:catalog:HealthCheck:Passive:ReactivationPeriod", "00:00:04")
        .WithSetting("EdgeGuard:CatalogFailureDetection:DetectionWindowSize", "00:00:04")
        .WithSetting("EdgeGuard:Cache:PositiveTtl", "00:00:01")
        // Longer than anything below: a stale answer served at once cannot be the soft timeout's doing.
        .WithSetting("EdgeGuard:Cache:SoftTimeout", "00:00:05")
        .WithSetting("EdgeGuard:Cache:EagerRefreshThreshold", "");

    protected override void StubUpstream() =>
        Upstream.Given(Request.Create().WithPath(new WildcardMatcher("/products/*")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"ok":true}"""));

    [Fact]
    public async Task Hanging_catalog_is_taken_out_of_service_then_tried_again()
    {
        using (var cached = await Client.GetAsync("/products/CACHED-1"))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
            Assert.Equal("upstream", cached.Source());
        }

        // The catalog freezes: it accepts requests (its health probe's too) and answers none within the gateway's timeout.
        Upstream.Reset();
        Upstream.Given(Request.Create().WithPath(new WildcardMatcher("/*")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(5)));

        // Ten reads of ids never cached wait out the catalog's timeout (nothing has shown it is down yet). They take
        // longer than CACHED-1's lifetime, so it has expired by the time they are answered.
        var timedOut = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Client.GetAsync($"/products/HANG-{i}")));
        Assert.All(timedOut, response => Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode));

        var stopwatch = Stopwatch.StartNew();
        using (var stale = await Client.GetAsync("/products/CACHED-1"))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal("stale", stale.Source());
            Assert.Equal("""{"ok":true}""", await stale.Content.ReadAsStringAsync());
        }

        Assert.True(stopwatch.Elapsed < CatalogTimeout, $"the stale answer took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");

        stopwatch.Restart();
        using (var cold = await Client.GetAsync("/products/COLD-1"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, cold.StatusCode);
            Assert.Equal("application/problem+json", cold.MediaType());
        }

        Assert.True(stopwatch.Elapsed < CatalogTimeout, $"the 503 took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");

        // The catalog comes back: once a probe shows it, reads reach it again.
        Upstream.ResetCatalog();
        StubUpstream();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            using var response = await Client.GetAsync("/products/COLD-2");
            status = response.StatusCode;
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"answered {status}");
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline && await Task.Delay(100).ContinueWith(_ => true));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, Upstream.CallsTo("/products/COLD-2"));
    }
}
