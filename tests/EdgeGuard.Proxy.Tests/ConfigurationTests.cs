using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests;

/// <summary>Bad configuration stops start-up with a message that names the setting; never a silent default.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("REDIS_URL", "http://cache:6379", "REDIS_URL")]
    [InlineData("REDIS_URL", "redis://cache:6379/x", "REDIS_URL")]
    [InlineData("EdgeGuard:Cache:NegativeTtl", "00:10:00", "NegativeTtl")]
    [InlineData("EdgeGuard:Cache:PositiveTtl", "-00:00:01", "PositiveTtl")]
    [InlineData("EdgeGuard:Bloom:FalsePositiveRate", "1.5", "FalsePositiveRate")]
    [InlineData("EdgeGuard:Bloom:FalsePositiveRate", "0", "FalsePositiveRate")]
    [InlineData("EdgeGuard:Bloom:ExpectedItems", "0", "ExpectedItems")]
    [InlineData("EdgeGuard:IdPattern", "([a-z", "IdPattern")]
    [InlineData("EdgeGuard:Cache:MaxBodyBytes", "-1", "MaxBodyBytes")]
    [InlineData("PRODUCTS_FILE", "/no/such/products.txt", "PRODUCTS_FILE")]
    public void Bad_setting_stops_start_up_naming_it(string key, string value, string named)
    {
        using var gateway = new GatewayFactory("http://127.0.0.1:9", ["SKU-1"], new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => gateway.CreateClient());

        Assert.Contains(named, Flatten(error));
    }

    [Fact]
    public void Bad_upstream_url_stops_start_up_naming_it()
    {
        using var gateway = new GatewayFactory("not a url", ["SKU-1"]);

        var error = Assert.ThrowsAny<Exception>(() => gateway.CreateClient());

        Assert.Contains("UPSTREAM_URL", Flatten(error));
    }

    private static string Flatten(Exception error) =>
        error is AggregateException aggregate
            ? string.Join(" | ", aggregate.Flatten().InnerExceptions.Select(Flatten))
            : error.Message + (error.InnerException is { } inner ? " | " + Flatten(inner) : "");
}
