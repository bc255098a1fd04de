using System.Globalization;
using EdgeGuard.Testing.Faults;

namespace EdgeGuard.Faults.Faults;

/// <summary>Fault 1: one gateway cut off from Redis, every byte held both ways (connections open, nothing refused), its clients still served.</summary>
public sealed class RedisPartition(string key, TimeSpan duration) : TimedFault(duration)
{
    public override string Key => key;

    protected override bool OneGateway => true;

    public override string Title => string.Create(CultureInfo.InvariantCulture,
        $"one gateway (the leader) cut off from Redis for {Duration.TotalSeconds:0} s, bytes held ({(Duration < Deployments.DeploymentSettings.MembershipTtl ? "shorter" : "longer")} than MembershipTtl {Deployments.DeploymentSettings.MembershipTtl.TotalSeconds:0} s)");

    protected override async Task<string> InjectAsync(FaultContext context, int target)
    {
        await RedisOf(context).Link.HoldAsync(target);
        return $"gw-{target} cut off from Redis (bytes held)";
    }

    protected override Task HealAsync(FaultContext context, int target) => RedisOf(context).Link.HealAsync(HeldBytes.Deliver);
}

/// <summary>Fault 2: one gateway cut off from the catalog, every byte held both ways.</summary>
public sealed class CatalogPartition(TimeSpan duration) : TimedFault(duration)
{
    public override string Key => "catalog-partition";

    protected override bool OneGateway => true;

    public override string Title => string.Create(CultureInfo.InvariantCulture, $"one gateway (the leader) cut off from the catalog for {Duration.TotalSeconds:0} s, bytes held");

    protected override async Task<string> InjectAsync(FaultContext context, int target)
    {
        await context.Deployment.CatalogLink.HoldAsync(target);
        return $"gw-{target} cut off from the catalog (bytes held)";
    }

    protected override Task HealAsync(FaultContext context, int target) => context.Deployment.CatalogLink.HealAsync(HeldBytes.Deliver);
}

/// <summary>Fault 3: 200 ms of added latency each way, with random stalls of up to 1 s, between every gateway and Redis.</summary>
public sealed class RedisLatency(TimeSpan duration) : TimedFault(duration)
{
    private static readonly DelayFault Delay = new(TimeSpan.FromMilliseconds(200))
    {
        MaxStall = TimeSpan.FromSeconds(1),
        StallProbability = 0.1,
        Seed = 19,
    };

    public override string Key => "redis-latency";

    public override string Title => string.Create(CultureInfo.InvariantCulture,
        $"every gateway's traffic with Redis delayed 200 ms each way, one chunk in ten stalled up to 1 s more, for {Duration.TotalSeconds:0} s");

    protected override async Task<string> InjectAsync(FaultContext context, int target)
    {
        await RedisOf(context).Link.DelayAsync(Delay);
        return "every gateway's Redis traffic delayed (200 ms each way, stalls up to 1 s)";
    }

    protected override Task HealAsync(FaultContext context, int target) => RedisOf(context).Link.HealAsync(HeldBytes.Deliver);
}
