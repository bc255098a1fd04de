namespace EdgeGuard.Proxy.Configuration;

/// <summary>
/// The <c>EdgeGuard:ClientBudget</c> section: how many requests that reach the catalog (cache misses, requests
/// forwarded as they are) each client may cause, and who the client is. Checked by <c>ClientBudgetSettings</c>.
/// </summary>
public sealed class ClientBudgetOptions
{
    public const string SectionPath = "EdgeGuard:ClientBudget";

    /// <summary>Catalog requests per second one client may cause, on average; unset (the default) turns the budget off.
    /// 100 suits a public edge.</summary>
    public double? UpstreamPerSecond { get; set; }

    /// <summary>Catalog requests one client may cause at once after a quiet spell; default twice <see cref="UpstreamPerSecond"/>.</summary>
    public int? Burst { get; set; }

    /// <summary>Networks (CIDR) never limited: the gateway's own backend-for-frontend, monitoring, batch jobs.</summary>
    public List<string> ExemptNetworks { get; set; } = [];

    /// <summary>Addresses of reverse proxies in front of the gateway whose <c>X-Forwarded-For</c> is believed.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR) of such proxies.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool IsOn => UpstreamPerSecond is not null;

    /// <summary>True when some proxy's <c>X-Forwarded-For</c> is believed.</summary>
    public bool TrustsProxies => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    /// <summary>The burst in effect: <see cref="Burst"/>, else twice the rate (at least 1).</summary>
    public int EffectiveBurst => Burst ?? (int)Math.Clamp(Math.Ceiling(2 * (UpstreamPerSecond ?? 0)), 1, int.MaxValue);
}
