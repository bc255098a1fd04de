namespace EdgeGuard.Proxy.Tests;

/// <summary>Concurrent misses for one id share one upstream request.</summary>
public sealed class SingleFlightTests : GatewayTestBase
{
    private readonly Latch _fetch = new();

    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["HOT-1", "GHOST-2"]);

    protected override void StubUpstream()
    {
        // The catalog holds the first answer until every request is in.
        Upstream.Given(Request.Create().WithPath("/products/HOT-1").UsingGet()).RespondWith(Response.Create().WithCallback(async _ =>
        {
            _fetch.Arrive();
            await _fetch.Released;
            return new ResponseMessage { StatusCode = 200, Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") }, BodyData = Body("""{"id":"HOT-1"}""") };
        }));
        Upstream.Given(Request.Create().WithPath("/products/GHOST-2").UsingGet()).RespondWith(Response.Create().WithCallback(async _ =>
        {
            _fetch.Arrive();
            await _fetch.Released;
            return new ResponseMessage { StatusCode = 404, BodyData = Body("""{"title":"Not Found"}""") };
        }));
    }

    [Theory]
    [InlineData("HOT-1", HttpStatusCode.OK)]
    [InlineData("GHOST-2", HttpStatusCode.NotFound)]
    public async Task Fifty_concurrent_requests_for_one_uncached_id_make_one_upstream_call(string id, HttpStatusCode expected)
    {
        var first = Client.GetAsync($"/products/{id}");
        await _fetch.Arrived.WaitAsync(TimeSpan.FromSeconds(10)); // the fetch is at the catalog
        var others = Enumerable.Range(0, 49).Select(_ => Client.GetAsync($"/products/{id}")).ToList();
        await WaitUntilAllAreWaitingAsync(others);
        _fetch.Release();
        var answers = await Task.WhenAll(others.Prepend(first));

        Assert.All(answers, answer => Assert.Equal(expected, answer.StatusCode));
        Assert.Equal(1, Upstream.CallsTo($"/products/{id}"));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    /// <summary>While the one fetch is held at the catalog, no follower has an answer (each waits for it or for the cache).</summary>
    private async Task WaitUntilAllAreWaitingAsync(List<Task<HttpResponseMessage>> followers)
    {
        await Task.Yield();
        Assert.All(followers, follower => Assert.False(follower.IsCompleted));
        Assert.Equal(0, Upstream.Calls()); // WireMock logs a request once answered: the held fetch is not yet
    }

    private static WireMock.Util.BodyData Body(string text) => new() { BodyAsString = text, DetectedBodyType = WireMock.Types.BodyType.String };
}
