namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// Bad configuration stops start-up of the real process with exit code 2 and one message that names the
/// setting: never a silent default, never an unhandled exception with a stack trace (SIGABRT, exit 134). Every
/// gateway here has a working client budget, so that a budget setting is judged on its own; a route's
/// <c>EdgeGuard.Cache</c> takes one value, and none on a product route.
/// </summary>
[Integration]
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("REDIS_URL", "http://cache:6379", "REDIS_URL")]
    [InlineData("REDIS_URL", "redis://cache:6379/x", "REDIS_URL")]
    [InlineData("REDIS_URL", "redis-sentinel://s1:26379,s2:26379", "REDIS_URL")]
    [InlineData("REDIS_URL", "redis-sentinel://s1:26379,s2:port#edgeguard", "REDIS_URL")]
    [InlineData("EdgeGuard__Cache__NegativeTtl", "00:10:00", "NegativeTtl")]
    [InlineData("EdgeGuard__Cache__PositiveTtl", "-00:00:01", "PositiveTtl")]
    [InlineData("EdgeGuard__Bloom__FalsePositiveRate", "2", "FalsePositiveRate")]
    [InlineData("EdgeGuard__Bloom__FalsePositiveRate", "0", "FalsePositiveRate")]
    [InlineData("EdgeGuard__Bloom__ExpectedItems", "0", "ExpectedItems")]
    [InlineData("EdgeGuard__Bloom__Layout", "cubic", "EdgeGuard:Bloom:Layout")]
    [InlineData("EdgeGuard__Bloom__Layout", "2", "EdgeGuard:Bloom:Layout")]
    [InlineData("EdgeGuard__IdPattern", "([a-z", "IdPattern")]
    [InlineData("EdgeGuard__Cache__MaxBodyBytes", "-1", "MaxBodyBytes")]
    [InlineData("PRODUCTS_FILE", "/no/such/products.txt", "PRODUCTS_FILE")]
    [InlineData("UPSTREAM_URL", "not a url", "UPSTREAM_URL")]
    [InlineData("EDGEGUARD_FILTER_KEY", "not-hex", "EDGEGUARD_FILTER_KEY")]
    [InlineData("EDGEGUARD_FILTER_KEY", "00000000000000000000000000000000", "EDGEGUARD_FILTER_KEY")]
    [InlineData("EdgeGuard__Cluster__Name", "a{b}", "EdgeGuard:Cluster:Name")]
    [InlineData("EdgeGuard__CatalogFailureDetection__DefaultFailureRateLimit", "1.5", "EdgeGuard:CatalogFailureDetection:DefaultFailureRateLimit")]
    [InlineData("EdgeGuard__ClientBudget__UpstreamPerSecond", "0", "EdgeGuard:ClientBudget:UpstreamPerSecond")]
    [InlineData("EdgeGuard__ClientBudget__UpstreamPerSecond", "-5", "EdgeGuard:ClientBudget:UpstreamPerSecond")]
    [InlineData("EdgeGuard__ClientBudget__Burst", "0", "EdgeGuard:ClientBudget:Burst")]
    [InlineData("EdgeGuard__ClientBudget__ExemptNetworks__0", "10.0.0.0/33", "EdgeGuard:ClientBudget:ExemptNetworks:0")]
    [InlineData("EdgeGuard__ClientBudget__ExemptNetworks__0", "10.0.0.0", "EdgeGuard:ClientBudget:ExemptNetworks:0")]
    [InlineData("EdgeGuard__ClientBudget__KnownNetworks__0", "10.0.0.1/8", "EdgeGuard:ClientBudget:KnownNetworks:0")]
    [InlineData("EdgeGuard__ClientBudget__KnownProxies__0", "proxy.internal", "EdgeGuard:ClientBudget:KnownProxies:0")]
    [InlineData("ReverseProxy__Routes__catalog-other__Metadata__EdgeGuard.Cache", "bogus", "ReverseProxy:Routes:catalog-other:Metadata:EdgeGuard.Cache")]
    [InlineData("ReverseProxy__Routes__product-reads__Metadata__EdgeGuard.Cache", "shared", "ReverseProxy:Routes:product-reads:Metadata")]
    public Task Bad_setting_stops_the_process_with_exit_code_2_naming_it(string key, string value, string named) =>
        Gateways.Build().WithIds(["SKU-1"]).WithSetting("EdgeGuard:ClientBudget:UpstreamPerSecond", "100").WithSetting(key, value).AssertRefusedAsync(named);
}
