namespace EdgeGuard.Proxy.Tests;

/// <summary>The read flow against a WireMock catalog, counting what reached it from its request log.</summary>
public sealed class ProductFlowTests : GatewayTestBase
{
    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["SKU-1", "GHOST-1", "SKU-HEAD"])
        .WithSetting("EdgeGuard:Cache:NegativeTtl", "00:01:00")
        .WithSetting("EdgeGuard:Cache:NegativeTtlJitter", "00:00:10");

    protected override void StubUpstream()
    {
        Upstream.StubProduct("SKU-1", """{"id":"SKU-1","name":"Lamp","price":9.5}""");
        Upstream.StubMissing("GHOST-1"); // in the filter but not in the catalog: a false positive, made on purpose
    }

    [Fact]
    public async Task Existing_id_is_forwarded_once_then_served_from_the_cache()
    {
        using var first = await Client.GetAsync("/products/SKU-1");
        using var second = await Client.GetAsync("/products/SKU-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("upstream", first.Source());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("cache", second.Source());
        Assert.Equal("application/json", second.MediaType());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, Upstream.CallsTo("/products/SKU-1"));
    }

    [Fact]
    public async Task Id_the_filter_has_never_seen_is_rejected_without_touching_the_catalog()
    {
        using var response = await Client.GetAsync("/products/NEVER-SEEN-42");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("bloom", response.Source());
        Assert.Equal("application/json", response.MediaType());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("NEVER-SEEN-42", body.RootElement.GetProperty("productId").GetString());
        Assert.False(body.RootElement.GetProperty("exists").GetBoolean());
        Assert.Equal("bloom", body.RootElement.GetProperty("source").GetString());
        Assert.Equal(0, Upstream.Calls());
    }

    [Fact]
    public async Task Head_follows_the_same_flow_without_a_body()
    {
        Upstream.Given(Request.Create().WithPath("/products/SKU-HEAD").UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"id":"SKU-HEAD"}"""));

        using var rejected = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/products/NEVER-SEEN-1"));
        using var forwarded = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/products/SKU-HEAD"));

        Assert.Equal(HttpStatusCode.NotFound, rejected.StatusCode);
        Assert.Equal("bloom", rejected.Source());
        Assert.Empty(await rejected.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Equal("upstream", forwarded.Source());
        Assert.Empty(await forwarded.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, Upstream.CallsTo("/products/NEVER-SEEN-1"));
    }

    [Fact]
    public async Task Metrics_count_each_kind_of_answer()
    {
        using (await Client.GetAsync("/products/NEVER-SEEN-2")) { }
        using (await Client.GetAsync("/products/SKU-1")) { }
        using (await Client.GetAsync("/products/SKU-1")) { }
        using (await Client.GetAsync("/products/GHOST-1")) { }
        using (await Client.GetAsync("/products/GHOST-1")) { }
        using (await Client.GetAsync("/products/bad$id")) { }

        var metrics = await ScrapedMetrics.ReadAsync(Client);

        Assert.Equal(1, metrics.Value("edgeguard_bloom_rejects_total"));
        Assert.Equal(1, metrics.Value("edgeguard_cache_hits_total"));
        Assert.Equal(1, metrics.Value("edgeguard_cache_negative_hits_total"));
        Assert.Equal(2, metrics.Value("edgeguard_upstream_requests_total"));
        Assert.Equal(1, metrics.Value("edgeguard_invalid_requests_total"));
        // GHOST-1 is in the filter but not in the catalog: one false positive that cost a catalog request.
        Assert.Equal(1, metrics.Value("edgeguard_filter_false_positives_total"));
        Assert.Equal(0, metrics.Value("edgeguard_stale_served_total"));
        Assert.Equal(1, metrics.Value("edgeguard_request_duration_seconds_count", ("source", "bloom")));
        Assert.Equal(2, metrics.Value("edgeguard_request_duration_seconds_count", ("source", "upstream")));
    }
}
