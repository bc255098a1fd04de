using EdgeGuard.Proxy.Budget;

namespace EdgeGuard.Proxy.Tests.Budget;

/// <summary>The <c>EdgeGuard:ClientBudget</c> checks: each failure names its setting.</summary>
public sealed class ClientBudgetSettingsTests
{
    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("203.0.113.7/32", true)]
    [InlineData("2001:db8::/32", true)]
    [InlineData(" 192.168.0.0/16 ", true)]
    [InlineData("10.0.0.0", false)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("10.0.0.1/8", false)]
    [InlineData("10/8", false)]
    [InlineData("10.0.0.0/", false)]
    [InlineData("example.com/24", false)]
    [InlineData("", false)]
    public void Networks_in_CIDR_notation_are_accepted_and_anything_else_is_not(string network, bool accepted) =>
        Assert.Equal(accepted, ClientBudgetSettings.TryParseNetwork(network, out _));

    [Theory]
    [InlineData("10")]
    [InlineData("10.1")]
    [InlineData("proxy.internal")]
    [InlineData("10.0.0.0/8")]
    public void A_proxy_is_one_whole_address(string address) =>
        Assert.False(ClientBudgetSettings.TryParseAddress(address, out _));

    [Fact]
    public void Each_failure_names_its_setting()
    {
        var failures = ClientBudgetSettings.Validate(new ClientBudgetOptions
        {
            UpstreamPerSecond = 0,
            Burst = 0,
            ExemptNetworks = ["10.0.0.0/8", "bad"],
            KnownNetworks = ["10.0.0.1/8"],
            KnownProxies = ["10.1"],
        }).ToList();

        Assert.Collection(failures,
            f => Assert.StartsWith("EdgeGuard:ClientBudget:UpstreamPerSecond must be more than 0", f),
            f => Assert.StartsWith("EdgeGuard:ClientBudget:Burst must be at least 1", f),
            f => Assert.StartsWith("EdgeGuard:ClientBudget:ExemptNetworks:1 'bad' is not a network", f),
            f => Assert.StartsWith("EdgeGuard:ClientBudget:KnownNetworks:0 '10.0.0.1/8' is not a network", f),
            f => Assert.StartsWith("EdgeGuard:ClientBudget:KnownProxies:0 '10.1' is not an IP address", f));
    }

    [Fact]
    public void Unset_means_off_and_the_burst_defaults_to_twice_the_rate()
    {
        Assert.False(new ClientBudgetOptions().IsOn);
        Assert.Empty(ClientBudgetSettings.Validate(new ClientBudgetOptions()));
        Assert.Equal(200, new ClientBudgetOptions { UpstreamPerSecond = 100 }.EffectiveBurst);
        Assert.Equal(1, new ClientBudgetOptions { UpstreamPerSecond = 0.2 }.EffectiveBurst);
        Assert.Equal(7, new ClientBudgetOptions { UpstreamPerSecond = 100, Burst = 7 }.EffectiveBurst);
    }
}
