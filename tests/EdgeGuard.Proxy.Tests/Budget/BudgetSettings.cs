namespace EdgeGuard.Proxy.Tests.Budget;

/// <summary>The per-client upstream budget on a test gateway (it needs real connections: <c>OnKestrelAsync</c>).</summary>
public static class BudgetSettings
{
    /// <summary>Each client may cost the catalog <paramref name="perSecond"/> requests a second, <paramref name="burst"/> at once.</summary>
    public static GatewayBuilder WithBudget(this GatewayBuilder gateway, double perSecond, int burst) => gateway
        .WithSetting("EdgeGuard:ClientBudget:UpstreamPerSecond", perSecond.ToString(CultureInfo.InvariantCulture))
        .WithSetting("EdgeGuard:ClientBudget:Burst", burst.ToString(CultureInfo.InvariantCulture));
}
