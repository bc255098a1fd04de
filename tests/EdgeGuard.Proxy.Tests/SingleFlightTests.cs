using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>Concurrent misses for one id share one upstream request.</summary>
public sealed class SingleFlightTests : GatewayTestBase
{
    protected override IEnumerable<string> KnownIds => ["HOT-1", "GHOST-2"];

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().WithPath("/products/HOT-1").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"id":"HOT-1"}""").WithDelay(TimeSpan.FromMilliseconds(400)));
        Upstream.Given(Request.Create().WithPath("/products/GHOST-2").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithDelay(TimeSpan.FromMilliseconds(400)));
    }

    [Theory]
    [InlineData("HOT-1", HttpStatusCode.OK)]
    [InlineData("GHOST-2", HttpStatusCode.NotFound)]
    public async Task Fifty_concurrent_requests_for_one_uncached_id_make_one_upstream_call(string id, HttpStatusCode expected)
    {
        using var start = new ManualResetEventSlim();
        var requests = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            using var response = await Client.GetAsync($"/products/{id}");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToArray();
        start.Set();
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, answer => Assert.Equal(expected, answer.StatusCode));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        Assert.Equal(1, Upstream.CallsTo($"/products/{id}"));
    }
}
