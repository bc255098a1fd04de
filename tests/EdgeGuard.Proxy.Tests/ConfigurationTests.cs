namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// Bad configuration stops start-up of the real process with exit code 2 and one message that names the
/// setting: never a silent default, never an unhandled exception with a stack trace (SIGABRT, exit 134).
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
    public async Task Bad_setting_stops_the_process_with_exit_code_2_naming_it(string key, string value, string named)
    {
        var environment = new Dictionary<string, string?>
        {
            ["EdgeGuard__Bloom__LoadFromCatalog"] = "false",
            ["PRODUCTS_FILE"] = Path.Combine(Repository.Root, "data", "products.txt"),
            [key] = value,
        };

        var outcome = await GatewayProcess.RunUntilExitAsync(environment, TimeSpan.FromSeconds(60));

        GatewayProcess.AssertRefused(outcome, named);
    }
}
