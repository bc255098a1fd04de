namespace EdgeGuard.Proxy.Tests;

/// <summary>Other routes are forwarded untouched; a client's own X-EdgeGuard-* headers never reach the catalog.</summary>
public sealed class RoutingTests : GatewayTestBase
{
    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["SKU-1"]);

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
    }

    [Theory]
    [InlineData("/products/SKU-1?view=full")] // a product read passed through (the cache keys on the id alone)
    [InlineData("/some/other/path")]
    public async Task Client_edgeguard_headers_are_dropped_before_forwarding(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-EdgeGuard-Source", "cache");
        request.Headers.Add("x-edgeguard-bypass", "1");
        request.Headers.Add("X-Other", "kept");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(Upstream.LogEntries, e => e.RequestMessage?.Path != Infrastructure.Upstream.HealthPath).RequestMessage!;
        Assert.DoesNotContain(forwarded.Headers!.Keys, name => name.StartsWith("X-EdgeGuard-", StringComparison.OrdinalIgnoreCase));
        Assert.True(forwarded.Headers!.ContainsKey("X-Other"));
    }

    [Fact]
    public async Task Shared_fetch_carries_no_client_credentials_cookies_or_gateway_headers()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/products/SKU-1");
        request.Headers.Add("X-EdgeGuard-Source", "cache");
        request.Headers.Add("Cookie", "session=abc");
        request.Headers.Add("If-None-Match", "\"v1\"");
        request.Headers.Add("Accept-Encoding", "gzip");
        request.Headers.Add("Accept", "application/json");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(Upstream.LogEntries, e => e.RequestMessage?.Path != Infrastructure.Upstream.HealthPath).RequestMessage!.Headers!;
        Assert.DoesNotContain(forwarded.Keys, name => name.StartsWith("X-EdgeGuard-", StringComparison.OrdinalIgnoreCase));
        Assert.False(forwarded.ContainsKey("Cookie"));
        Assert.False(forwarded.ContainsKey("If-None-Match"));
        Assert.False(forwarded.ContainsKey("Accept-Encoding"));
        Assert.Equal("application/json", forwarded["Accept"].ToString());
    }

    [Fact]
    public async Task Client_cannot_claim_a_source()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/products/NEVER-SEEN-4");
        request.Headers.Add("X-EdgeGuard-Source", "upstream");

        using var response = await Client.SendAsync(request);

        Assert.Equal("bloom", response.Source());
        Assert.Equal(0, Upstream.Calls());
    }

    [Theory]
    [InlineData("GET", "/products/ids")]
    [InlineData("HEAD", "/products/ids")]
    [InlineData("GET", "/products/%69ds")]
    [InlineData("GET", "/PRODUCTS/IDS")]
    [InlineData("GET", "/products/ids/")]
    [InlineData("GET", "/products/ids?page=2")]
    public async Task Catalog_id_listing_is_not_public(string method, string path)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, Upstream.Calls());
    }

    [Fact]
    public async Task Other_paths_are_forwarded_untouched()
    {
        using var other = await Client.GetAsync("/catalog/version");

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, Upstream.CallsTo("/catalog/version"));
    }

    [Theory]
    [InlineData("TRACE", "/products/SKU-1")]
    [InlineData("PATCH", "/products/SKU-1")]
    [InlineData("PROPFIND", "/products/SKU-1")]
    [InlineData("PATCH", "/products")]
    [InlineData("TRACE", "/products")]
    public async Task Method_a_product_route_does_not_serve_is_405_with_allow(string method, string path)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.Contains("GET", response.Content.Headers.Allow);
        Assert.Contains("DELETE", response.Content.Headers.Allow);
        Assert.Equal(0, Upstream.Calls());
    }

    [Fact]
    public async Task Options_is_forwarded_for_the_catalog_to_answer()
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/products/SKU-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Upstream.CallsTo("/products/SKU-1"));
    }

    [Fact]
    public async Task Connect_to_a_product_path_over_real_http_is_a_4xx_never_a_5xx()
    {
        await using var gateway = await Builder.OnKestrelAsync();

        var (status, _) = await RawHttp.SendAsync(gateway.Address, "CONNECT /products/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", keepOpen: true);

        Assert.InRange(status, 400, 499);
        Assert.Equal(0, Upstream.Calls());
    }

    [Fact]
    public async Task Liveness_is_200_while_the_process_serves()
    {
        using var response = await Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
