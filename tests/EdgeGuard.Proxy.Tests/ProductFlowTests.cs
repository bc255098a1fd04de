using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace EdgeGuard.Proxy.Tests;

public sealed class ProductFlowTests : IAsyncLifetime
{
    private readonly WireMockServer _upstream = WireMockServer.Start();
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _upstream.Given(Request.Create().WithPath("/products/SKU-1").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"id":"SKU-1","name":"Lamp","price":9.5}"""));
        _gateway = new GatewayFactory(_upstream.Url!, ["SKU-1"]);
        _client = await _gateway.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    [Fact]
    public async Task Existing_id_is_forwarded_once_then_served_from_the_cache()
    {
        using var first = await _client.GetAsync("/products/SKU-1");
        using var second = await _client.GetAsync("/products/SKU-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("upstream", first.Source());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("cache", second.Source());
        Assert.Equal("application/json", second.MediaType());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, _upstream.CallsTo("/products/SKU-1"));
    }
}
