using EdgeGuard.Proxy.Tests.Budget;

namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary>
/// What a client's own cache directives may do at the edge: on a shared route and on the product route, a request
/// that asks for a fresher answer (<c>Cache-Control: no-cache</c>, <c>max-age=0</c>, <c>Pragma: no-cache</c>) is
/// answered from the cache like any other, so no client can make the origin work on every request; and the per-client
/// budget holds a client whose requests do reach the origin, on either route. <c>only-if-cached</c> is honoured.
/// </summary>
[Integration]
public sealed class RequestDirectivePolicyTests : IAsyncLifetime
{
    private static readonly (string Name, string Value)[][] Forcing =
    [
        [("Cache-Control", "no-cache")],
        [("Cache-Control", "max-age=0")],
        [("Pragma", "no-cache")],
        [("Cache-Control", "no-cache, no-store, max-age=0, min-fresh=100"), ("Pragma", "no-cache")],
    ];

    private readonly WireMockServer _origin = Upstream.StartCatalog();
    private InProcessGateway? _gateway;

    public RequestDirectivePolicyTests()
    {
        _origin.Given(Request.Create().WithPath("/catalog/hot").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Cache-Control", "max-age=600").WithBody("hot"));
        _origin.Given(Request.Create().WithPath("/catalog/sweep").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Cache-Control", "max-age=600").WithBody("swept"));
        _origin.StubProduct("SKU-1");
    }

    [Theory]
    [InlineData("/catalog/hot")]
    [InlineData("/products/SKU-1")]
    public async Task Client_directives_asking_for_a_fresher_answer_are_answered_from_the_cache(string path)
    {
        var client = (await GatewayAsync(budget: false)).ClientFrom("127.0.0.11");
        using (await client.GetAsync(path)) { }

        foreach (var headers in Forcing)
        {
            using var response = await client.GetAsync(path, headers);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("cache", response.Source());
        }

        Assert.Equal(1, _origin.CallsTo(path));
    }

    [Fact]
    public async Task Budget_holds_a_client_whose_requests_reach_the_origin_and_it_still_gets_stored_answers()
    {
        var gateway = await GatewayAsync(budget: true);
        var sweeper = gateway.ClientFrom("127.0.0.12");
        using (var first = await sweeper.GetAsync("/catalog/hot"))
        {
            Assert.Equal("upstream", first.Source()); // its one request's worth of budget
        }

        using var held = await sweeper.GetAsync("/catalog/sweep?page=2"); // a miss: it would reach the origin
        using var stored = await sweeper.GetAsync("/catalog/hot", ("Cache-Control", "no-cache"));

        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.Equal("budget", held.Source());
        Assert.NotNull(held.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode); // stored answers spend nothing
        Assert.Equal("cache", stored.Source());
        Assert.Equal(0, _origin.CallsTo("/catalog/sweep"));
        Assert.Equal(1, _origin.CallsTo("/catalog/hot"));
    }

    [Fact]
    public async Task Product_route_budget_applies_whatever_the_client_directives()
    {
        var gateway = await GatewayAsync(budget: true);
        var client = gateway.ClientFrom("127.0.0.13");
        using (await client.GetAsync("/catalog/hot")) { } // spends the client's one request

        using var held = await client.GetAsync("/products/SKU-1", ("Cache-Control", "no-cache"));

        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.Equal(0, _origin.CallsTo("/products/SKU-1"));
    }

    [Fact]
    public async Task Only_if_cached_never_reaches_the_origin()
    {
        var client = (await GatewayAsync(budget: false)).ClientFrom("127.0.0.14");
        using var response = await client.GetAsync("/catalog/hot", ("Cache-Control", "only-if-cached"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(0, _origin.CallsTo("/catalog/hot"));
    }

    private async Task<InProcessGateway> GatewayAsync(bool budget)
    {
        var gateway = Gateways.Build().WithUpstream(_origin.Url!).WithIds(["SKU-1"]).WithSharedCatchAllRoute();
        _gateway = await (budget ? gateway.WithBudget(perSecond: 0.01, burst: 1) : gateway).OnKestrelAsync();
        return _gateway;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _origin.Stop();
    }
}
