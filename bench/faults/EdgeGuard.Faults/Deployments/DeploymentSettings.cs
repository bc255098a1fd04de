using System.Globalization;

namespace EdgeGuard.Faults.Deployments;

/// <summary>
/// How the harness configures its gateways: the defaults, except a short cache freshness (so an entry outlives its
/// freshness during a catalog fault and must be served stale) and a filter sized for a catalog of a few thousand ids
/// (so it lets missing ids through near its configured rate, which the rate check then holds it to).
/// </summary>
public static class DeploymentSettings
{
    public const int Instances = 3;
    public const string AdminKey = "fault-harness-admin-key";
    public const int SeededIds = 2_000;
    public const int ExpectedItems = 4_000;
    public const double FalsePositiveRate = 0.01;

    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan FailSafeMaxAge = TimeSpan.FromHours(1);

    /// <summary>The cluster's membership TTL: the gateways run with the default.</summary>
    public static readonly TimeSpan MembershipTtl = TimeSpan.FromSeconds(10);

    /// <summary>The ids the catalog is seeded with.</summary>
    public static IReadOnlyList<string> Seed { get; } = [.. Enumerable.Range(0, SeededIds).Select(i => $"HAVE-{i:D5}")];

    /// <summary>Gateway <paramref name="instance"/>'s environment.</summary>
    public static Dictionary<string, string?> Environment(int instance, string redisUrl, string upstreamUrl) => new()
    {
        ["REDIS_URL"] = redisUrl,
        ["UPSTREAM_URL"] = upstreamUrl,
        ["PRODUCTS_FILE"] = "",
        ["EDGEGUARD_INSTANCE_ID"] = InstanceId(instance),
        ["EDGEGUARD_ADMIN_KEY"] = AdminKey,
        ["EdgeGuard__Bloom__LoadFromCatalog"] = "true",
        ["EdgeGuard__Bloom__ExpectedItems"] = ExpectedItems.ToString(CultureInfo.InvariantCulture),
        ["EdgeGuard__Bloom__FalsePositiveRate"] = FalsePositiveRate.ToString(CultureInfo.InvariantCulture),
        ["EdgeGuard__Cache__PositiveTtl"] = FreshFor.ToString("c", CultureInfo.InvariantCulture),
        ["EdgeGuard__Cache__FailSafeMaxAge"] = FailSafeMaxAge.ToString("c", CultureInfo.InvariantCulture),
        ["EdgeGuard__Cluster__MembershipTtl"] = MembershipTtl.ToString("c", CultureInfo.InvariantCulture),
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__EdgeGuard"] = "Information",
    };

    public static string InstanceId(int instance) => $"gw-{instance}";
}
