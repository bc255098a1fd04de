using System.Net.Sockets;

namespace EdgeGuard.Proxy.Tests;

/// <summary>Upstream failures answer 502/503/504 problem+json quickly and are never cached.</summary>
public sealed class UpstreamFailureTests : GatewayTestBase
{
    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["FAIL-500", "FAIL-503", "SLOW-1"])
        .WithSetting("ReverseProxy:Clusters:catalog:HttpRequest:ActivityTimeout", "00:00:00.300");

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().WithPath("/products/FAIL-500").UsingGet()).RespondWith(Response.Create().WithStatusCode(500).WithBody("boom"));
        Upstream.Given(Request.Create().WithPath("/products/FAIL-503").UsingGet()).RespondWith(Response.Create().WithStatusCode(503));
        Upstream.Given(Request.Create().WithPath("/products/SLOW-1").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{}").WithDelay(TimeSpan.FromSeconds(2)));
    }

    [Theory]
    [InlineData("FAIL-500", HttpStatusCode.BadGateway)]
    [InlineData("FAIL-503", HttpStatusCode.ServiceUnavailable)]
    public async Task Upstream_5xx_becomes_a_problem_response_and_is_not_cached(string id, HttpStatusCode expected)
    {
        using var first = await Client.GetAsync($"/products/{id}");
        using var second = await Client.GetAsync($"/products/{id}");

        Assert.Equal(expected, first.StatusCode);
        Assert.Equal("application/problem+json", first.MediaType());
        Assert.Equal("upstream", first.Source());
        Assert.DoesNotContain("boom", await first.Content.ReadAsStringAsync());
        Assert.Equal(expected, second.StatusCode);
        Assert.Equal("upstream", second.Source());
        Assert.Equal(2, Upstream.CallsTo($"/products/{id}"));
        Assert.Equal(2, (await ScrapedMetrics.ReadAsync(Client)).Value("edgeguard_upstream_failures_total", ("reason", "5xx")));
    }

    [Fact]
    public async Task Upstream_timeout_answers_504_quickly_and_is_not_cached()
    {
        var stopwatch = Stopwatch.StartNew();
        using var first = await Client.GetAsync("/products/SLOW-1");
        var elapsed = stopwatch.Elapsed;
        using var second = await Client.GetAsync("/products/SLOW-1");

        Assert.Equal(HttpStatusCode.GatewayTimeout, first.StatusCode);
        Assert.Equal("application/problem+json", first.MediaType());
        Assert.True(elapsed < TimeSpan.FromSeconds(1.5), $"took {elapsed}, the upstream's delay is 2 s and the timeout 0.3 s");
        Assert.Equal(HttpStatusCode.GatewayTimeout, second.StatusCode);
        Assert.Equal(2, await Upstream.CallsToEventuallyAsync("/products/SLOW-1", 2, TimeSpan.FromSeconds(5)));
        // Each timed-out catalog request counted once (the fetches finish in the background, at the forwarder's timeout).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await ScrapedMetrics.ReadAsync(Client)).Value("edgeguard_upstream_failures_total", ("reason", "timeout")) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2, (await ScrapedMetrics.ReadAsync(Client)).Value("edgeguard_upstream_failures_total", ("reason", "timeout")));
    }

    [Fact]
    public async Task Unreachable_upstream_answers_502_problem_and_is_not_cached()
    {
        await using var gateway = Gateways.Build().WithUpstream($"http://127.0.0.1:{ClosedPort()}").WithIds(["SKU-1"]).InProcess();
        using var client = await gateway.CreateReadyClientAsync();

        using var first = await client.GetAsync("/products/SKU-1");
        using var second = await client.GetAsync("/products/SKU-1");

        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        Assert.Equal("application/problem+json", first.MediaType());
        Assert.Equal("upstream", second.Source());
        var metrics = await ScrapedMetrics.ReadAsync(client);
        Assert.Equal(2, metrics.Value("edgeguard_upstream_requests_total"));
        Assert.Equal(2, metrics.Value("edgeguard_upstream_failures_total", ("reason", "unreachable")));
    }

    /// <summary>
    /// What the gateway could not forward for a client is counted once, whoever forwarded it: a read it does not answer
    /// from the cache (this one carries credentials), a write, a path it only proxies; and a miss's fetch once as well.
    /// </summary>
    [Fact]
    public async Task A_request_that_could_not_be_forwarded_is_counted_once_on_every_route()
    {
        await using var gateway = Gateways.Build().WithUpstream($"http://127.0.0.1:{ClosedPort()}").WithIds(["SKU-1", "SKU-2"]).InProcess();
        using var client = await gateway.CreateReadyClientAsync();

        using var personal = new HttpRequestMessage(HttpMethod.Get, "/products/SKU-1");
        personal.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "token");
        using var forwarded = await client.SendAsync(personal);
        using var write = await client.PutAsync("/products/SKU-2", new StringContent("""{"id":"SKU-2"}""", System.Text.Encoding.UTF8, "application/json"));
        using var other = await client.GetAsync("/categories");
        using var miss = await client.GetAsync("/products/SKU-2");

        Assert.Equal("upstream", forwarded.Source());
        Assert.True((int)forwarded.StatusCode >= 500, $"forwarded read: {forwarded.StatusCode}");
        Assert.True((int)write.StatusCode >= 500, $"write: {write.StatusCode}");
        Assert.True((int)other.StatusCode >= 500, $"other path: {other.StatusCode}");
        Assert.Equal(HttpStatusCode.BadGateway, miss.StatusCode);
        var metrics = await ScrapedMetrics.ReadAsync(client);
        Assert.Equal(4, metrics.Value("edgeguard_upstream_failures_total", ("reason", "unreachable")));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when disposed
    }
}
