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
        await Expiry.AssertCachedUntilItExpiresAsync(Client, Upstream, "GHOST-1", HttpStatusCode.NotFound, "negative-cache");
    }

    [Fact]
    public Task Positive_entry_expires_after_its_ttl() => Expiry.AssertCachedUntilItExpiresAsync(Client, Upstream, "SKU-1", HttpStatusCode.OK, "cache");
}
