using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>Other routes are forwarded untouched; a client's own X-EdgeGuard-* headers never reach the catalog.</summary>
public sealed class RoutingTests : GatewayTestBase
{
    protected override IEnumerable<string> KnownIds => ["SKU-1"];

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
    }

    [Theory]
    [InlineData("/products/SKU-1")]
    [InlineData("/some/other/path")]
    public async Task Client_edgeguard_headers_are_dropped_before_forwarding(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-EdgeGuard-Source", "cache");
        request.Headers.Add("x-edgeguard-bypass", "1");
        request.Headers.Add("X-Other", "kept");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(Upstream.LogEntries).RequestMessage!;
        Assert.DoesNotContain(forwarded.Headers!.Keys, name => name.StartsWith("X-EdgeGuard-", StringComparison.OrdinalIgnoreCase));
        Assert.True(forwarded.Headers!.ContainsKey("X-Other"));
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

    [Fact]
    public async Task Catalog_id_listing_and_other_paths_are_forwarded_untouched()
    {
        using var ids = await Client.GetAsync("/products/ids");
        using var other = await Client.GetAsync("/catalog/version");

        Assert.Equal(HttpStatusCode.OK, ids.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, Upstream.CallsTo("/products/ids"));
        Assert.Equal(1, Upstream.CallsTo("/catalog/version"));
    }

    [Fact]
    public async Task Liveness_is_200_while_the_process_serves()
    {
        using var response = await Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
