namespace EdgeGuard.Proxy.Tests;

/// <summary>Through the gateway: an answer too large to cache reaches the client whole and is not cached.</summary>
public sealed class LargeAnswerTests : GatewayTestBase
{
    private static readonly string LargeBody = "{\"id\":\"SKU-BIG\",\"blob\":\"" + new string('x', 200_000) + "\"}";
    private static readonly string MediumBody = "{\"id\":\"SKU-MID\",\"blob\":\"" + new string('y', 150_000) + "\"}";

    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["SKU-BIG", "SKU-MID"]).WithSetting("EdgeGuard:Cache:MaxBodyBytes", "180000");

    protected override void StubUpstream()
    {
        Upstream.StubProduct("SKU-BIG", LargeBody);
        Upstream.StubProduct("SKU-MID", MediumBody);
    }

    [Fact]
    public async Task Answer_over_the_cacheable_limit_is_streamed_whole_every_time_and_never_cached()
    {
        using var first = await Client.GetAsync("/products/SKU-BIG");
        using var second = await Client.GetAsync("/products/SKU-BIG");
        using var third = await Client.GetAsync("/products/SKU-BIG");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(LargeBody, await first.Content.ReadAsStringAsync());
        Assert.Equal("upstream", second.Source());
        Assert.Equal(LargeBody, await second.Content.ReadAsStringAsync());
        Assert.Equal(LargeBody, await third.Content.ReadAsStringAsync());
        // The first read's shared fetch stops at the limit (it cannot be held) and the read is passed through;
        // the id is then marked for pass-through, so the next reads go straight to the catalog, once each.
        Assert.Equal(4, Upstream.CallsTo("/products/SKU-BIG"));
    }

    [Fact]
    public async Task Answer_read_in_several_chunks_under_the_limit_is_cached_whole()
    {
        using var first = await Client.GetAsync("/products/SKU-MID");
        using var second = await Client.GetAsync("/products/SKU-MID");

        Assert.Equal(MediumBody, await first.Content.ReadAsStringAsync());
        Assert.Equal("cache", second.Source());
        Assert.Equal(MediumBody, await second.Content.ReadAsStringAsync());
        Assert.Equal(1, Upstream.CallsTo("/products/SKU-MID"));
    }
}
