namespace EdgeGuard.Proxy.Tests;

/// <summary>Entries live for their TTL and no longer, on the real clock (the cache's own), with one-second TTLs.</summary>
public sealed class CacheExpiryTests : GatewayTestBase
{
    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["SKU-1", "GHOST-1"]).WithOneSecondTtls();

    protected override void StubUpstream()
    {
        Upstream.StubProduct("SKU-1");
        Upstream.StubMissing("GHOST-1"); // in the filter but not in the catalog: a false positive, made on purpose
    }

    [Fact]
    public async Task False_positive_goes_upstream_once_then_is_negatively_cached_until_its_ttl_passes()
    {
        using var first = await Client.GetAsync("/products/GHOST-1");
        using var cached = await Client.GetAsync("/products/GHOST-1");

        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Equal("upstream", first.Source());
        Assert.Equal(HttpStatusCode.NotFound, cached.StatusCode);
        Assert.Equal("negative-cache", cached.Source());
        Assert.Equal(1, Upstream.CallsTo("/products/GHOST-1"));

        await Task.Delay(TimeSpan.FromSeconds(1.3)); // past the TTL: the clock is the subject here, not a race
        using var expired = await Client.GetAsync("/products/GHOST-1");

        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        Assert.Equal("upstream", expired.Source());
        Assert.Equal(2, Upstream.CallsTo("/products/GHOST-1"));
    }

    [Fact]
    public async Task Positive_entry_expires_after_its_ttl()
    {
        using var first = await Client.GetAsync("/products/SKU-1");
        using var cached = await Client.GetAsync("/products/SKU-1");
        await Task.Delay(TimeSpan.FromSeconds(1.3));
        using var refetched = await Client.GetAsync("/products/SKU-1");

        Assert.Equal("upstream", first.Source());
        Assert.Equal("cache", cached.Source());
        Assert.Equal("upstream", refetched.Source());
        Assert.Equal(2, Upstream.CallsTo("/products/SKU-1"));
    }
}
