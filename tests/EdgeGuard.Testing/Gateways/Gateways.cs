namespace EdgeGuard.Testing.Gateways;

/// <summary>
/// Where every test gateway starts: <c>Gateways.Build()</c>, then what it needs
/// (<c>.WithUpstream(url).WithIds(ids).WithRedis(redis).WithSetting(key, value)</c>), then how it runs:
/// <c>.InProcess()</c> or <c>.OnKestrelAsync()</c> (the test host, in EdgeGuard.Proxy.Tests) or <c>.AsProcess()</c>
/// (a real process, to kill, freeze or watch refuse to start). The settings every test gateway shares, and the
/// timings shortened for tests, are set here and in <see cref="GatewayBuilder"/> only.
/// </summary>
public static class Gateways
{
    /// <summary>The admin key (<c>X-Admin-Key</c>) of every test gateway.</summary>
    public const string AdminKey = "test-admin-key";

    /// <summary>A gateway's Redis command timeout in tests: generous for a loaded 2-core machine (default 100 ms), still far below a request's budget.</summary>
    public static readonly TimeSpan RedisTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>How long an instance's Redis circuit stays open after an outage is noticed, in tests.</summary>
    public static readonly TimeSpan RedisBreakDuration = TimeSpan.FromSeconds(1);

    /// <summary>How long an instance that stopped its heartbeats (200 ms apart) stays a member, with <see cref="GatewayBuilder.WithClusterTimings"/>.</summary>
    public static readonly TimeSpan MembershipTtl = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between attempts to load a filter from the catalog, with <see cref="GatewayBuilder.LoadingFromCatalog"/>.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>A gateway in front of a closed port, its filter built from an empty products file.</summary>
    public static GatewayBuilder Build() => GatewayBuilder.Empty;
}
