namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary><c>EdgeGuard.Cache</c> takes one value; anything else, or the key on a product route, stops start-up naming the route.</summary>
[Trait("Category", "Integration")]
public sealed class CacheRouteConfigTests
{
    [Theory]
    [InlineData("catalog-other", "bogus", "ReverseProxy:Routes:catalog-other:Metadata:EdgeGuard.Cache")]
    [InlineData("product-reads", "shared", "ReverseProxy:Routes:product-reads:Metadata")]
    public async Task Bad_cache_metadata_stops_start_up_naming_the_route(string route, string value, string named)
    {
        var outcome = await GatewayProcess.RunUntilExitAsync(new Dictionary<string, string?>
        {
            [$"ReverseProxy__Routes__{route}__Metadata__EdgeGuard.Cache"] = value,
        }, TimeSpan.FromSeconds(60));

        GatewayProcess.AssertRefused(outcome, named);
    }
}
