using EdgeGuard.Filter;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CatalogBackend.Tests;

public sealed class UnitTests
{
    [Fact]
    public void Default_price_is_deterministic_and_in_range()
    {
        Assert.Equal(CatalogSeeder.DefaultPrice("ELC-00000001"), CatalogSeeder.DefaultPrice("ELC-00000001"));
        // Pinned: the same id must get the same price on every run and machine.
        Assert.Equal(701.63m, CatalogSeeder.DefaultPrice("BTY-79600211-GRN"));
        var prices = Enumerable.Range(0, 10_000).Select(i => CatalogSeeder.DefaultPrice($"P-{i}")).ToList();
        Assert.All(prices, p => Assert.InRange(p, 1.00m, 999.99m));
        Assert.All(prices, p => Assert.Equal(p, decimal.Round(p, 2)));
        Assert.True(prices.Distinct().Count() > 5_000);
        Assert.Equal("Product ELC-00000001", CatalogSeeder.DefaultName("ELC-00000001"));
    }

    [Theory]
    [InlineData(new string[0], CatalogUrls.Default)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:9123" }, "http://127.0.0.1:9123")]
    [InlineData(new[] { "--http_ports", "9124" }, null)]
    [InlineData(new[] { "--Kestrel:Endpoints:Http:Url", "http://127.0.0.1:9125" }, null)]
    public void The_default_address_applies_only_when_none_is_configured(string[] args, string? expectedUrls)
    {
        var builder = WebApplication.CreateBuilder(args);
        CatalogUrls.UseDefaultUnlessConfigured(builder);
        Assert.Equal(expectedUrls, builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Fact]
    public void Paths_default_to_data_and_resolve_against_the_current_directory()
    {
        var defaults = CatalogOptions.FromConfiguration(new ConfigurationBuilder().Build());
        Assert.Equal(Path.GetFullPath("data/products.txt"), defaults.ProductsFile);
        Assert.Equal(Path.GetFullPath("data/products.db"), defaults.DatabasePath);

        var configured = CatalogOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PRODUCTS_FILE"] = "some/ids.txt",
            ["CATALOG_DB"] = "/tmp/x.db",
        }).Build());
        Assert.Equal(Path.GetFullPath("some/ids.txt"), configured.ProductsFile);
        Assert.Equal("/tmp/x.db", configured.DatabasePath);
    }

    [Fact]
    public async Task The_health_check_follows_the_seeding_state()
    {
        var state = new SeedingState();
        var check = new SeedingHealthCheck(state);
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        state.Complete(new SeedResult("p", true, new ProductsFileReport(), 0, TimeSpan.Zero));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        var failed = new SeedingState();
        failed.Fail(new InvalidOperationException("boom"));
        var result = await new SeedingHealthCheck(failed).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("boom", result.Exception?.Message);
    }
}
