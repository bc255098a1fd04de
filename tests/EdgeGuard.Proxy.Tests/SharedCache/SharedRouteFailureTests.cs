using WireMock.Types;
using WireMock.Util;

namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary>
/// When the origin fails, a shared route serves the expired answer only where the answer allows it: within its
/// <c>stale-if-error</c> window (or the cache tier's fail-safe when it says nothing), never when it says
/// <c>must-revalidate</c> (the origin's own error is relayed then). A URL never stored fails with the origin's error.
/// </summary>
[Integration]
public sealed class SharedRouteFailureTests : GatewayTestBase
{
    private volatile bool _failing;

    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithSharedCatchAllRoute()
        .WithSetting("EdgeGuard:Cache:EagerRefreshThreshold", "")
        .WithSetting("EdgeGuard:Cache:FailSafeThrottle", "00:00:00.100");

    protected override void StubUpstream()
    {
        Stub("/catalog/tolerant", "max-age=1, stale-if-error=60");
        Stub("/catalog/strict", "max-age=1, must-revalidate");
        Stub("/catalog/never-stored", "max-age=60");
    }

    [Fact]
    public async Task Origin_error_serves_the_expired_answer_within_its_stale_if_error_window()
    {
        using (await Client.GetAsync("/catalog/tolerant")) { }
        _failing = true;
        await Task.Delay(TimeSpan.FromSeconds(1.3)); // past max-age=1

        using var stale = await Client.GetAsync("/catalog/tolerant");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("stale", stale.Source());
        Assert.Equal("body of /catalog/tolerant", await stale.Content.ReadAsStringAsync());
        Assert.Equal(2, Upstream.CallsTo("/catalog/tolerant")); // it was asked, and failed
    }

    [Fact]
    public async Task Must_revalidate_answer_is_never_served_stale_the_origin_error_is()
    {
        using (await Client.GetAsync("/catalog/strict")) { }
        _failing = true;
        await Task.Delay(TimeSpan.FromSeconds(1.3));

        using var failed = await Client.GetAsync("/catalog/strict");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("origin down", await failed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Url_never_stored_gets_the_origin_error()
    {
        _failing = true;

        using var failed = await Client.GetAsync("/catalog/never-stored");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
    }

    private void Stub(string path, string cacheControl) =>
        Upstream.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Response.Create().WithCallback(_ => _failing
            ? new ResponseMessage { StatusCode = 503, BodyData = Body("origin down") }
            : new ResponseMessage
            {
                StatusCode = 200,
                Headers = new Dictionary<string, WireMockList<string>> { ["Cache-Control"] = new(cacheControl) },
                BodyData = Body($"body of {path}"),
            }));

    private static BodyData Body(string text) => new() { BodyAsString = text, DetectedBodyType = BodyType.String };
}
