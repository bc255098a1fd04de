namespace EdgeGuard.Proxy.Tests.Budget;

/// <summary>A budget setting that cannot work stops the real process with exit code 2, naming the setting.</summary>
[Integration]
public sealed class ClientBudgetStartupTests
{
    [Theory]
    [InlineData("EdgeGuard__ClientBudget__UpstreamPerSecond", "0", "EdgeGuard:ClientBudget:UpstreamPerSecond")]
    [InlineData("EdgeGuard__ClientBudget__UpstreamPerSecond", "-5", "EdgeGuard:ClientBudget:UpstreamPerSecond")]
    [InlineData("EdgeGuard__ClientBudget__Burst", "0", "EdgeGuard:ClientBudget:Burst")]
    [InlineData("EdgeGuard__ClientBudget__ExemptNetworks__0", "10.0.0.0/33", "EdgeGuard:ClientBudget:ExemptNetworks:0")]
    [InlineData("EdgeGuard__ClientBudget__ExemptNetworks__0", "10.0.0.0", "EdgeGuard:ClientBudget:ExemptNetworks:0")]
    [InlineData("EdgeGuard__ClientBudget__KnownNetworks__0", "10.0.0.1/8", "EdgeGuard:ClientBudget:KnownNetworks:0")]
    [InlineData("EdgeGuard__ClientBudget__KnownProxies__0", "proxy.internal", "EdgeGuard:ClientBudget:KnownProxies:0")]
    public async Task Bad_budget_setting_stops_the_process_with_exit_code_2_naming_it(string key, string value, string named)
    {
        var environment = new Dictionary<string, string?>
        {
            ["EdgeGuard__Bloom__LoadFromCatalog"] = "false",
            ["PRODUCTS_FILE"] = Path.Combine(Repository.Root, "data", "products.txt"),
            ["EdgeGuard__ClientBudget__UpstreamPerSecond"] = "100",
            [key] = value,
        };

        var outcome = await GatewayProcess.RunUntilExitAsync(environment, TimeSpan.FromSeconds(60));

        GatewayProcess.AssertRefused(outcome, named);
    }
}
