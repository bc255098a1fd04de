using System.Globalization;

namespace EdgeGuard.Faults.Faults;

/// <summary>Fault 4: Redis frozen with SIGSTOP (connections open, nothing answered), then resumed with SIGCONT.</summary>
public sealed class RedisFreeze(TimeSpan duration) : TimedFault(duration)
{
    public override string Key => "redis-freeze";

    public override string Title => string.Create(CultureInfo.InvariantCulture, $"Redis frozen (SIGSTOP) for {Duration.TotalSeconds:0} s, then resumed");

    protected override Task<string> InjectAsync(FaultContext context, int target)
    {
        RedisOf(context).Server.Freeze();
        return Task.FromResult("redis-server frozen (SIGSTOP)");
    }

    protected override Task HealAsync(FaultContext context, int target)
    {
        RedisOf(context).Server.Thaw();
        return Task.CompletedTask;
    }
}

/// <summary>Fault 7: the catalog killed (SIGKILL) and started again on the same port with the same database.</summary>
public sealed class CatalogKill(TimeSpan duration) : TimedFault(duration)
{
    public override string Key => "catalog-kill";

    public override string Title => string.Create(CultureInfo.InvariantCulture, $"the catalog killed (SIGKILL), started again {Duration.TotalSeconds:0} s later");

    protected override Task<string> InjectAsync(FaultContext context, int target)
    {
        context.Deployment.Catalog.Kill();
        return Task.FromResult("catalog killed (SIGKILL)");
    }

    /// <summary>Healed once the catalog answers its health check again (its start-up is not the gateways' recovery).</summary>
    protected override Task HealAsync(FaultContext context, int target) => context.Deployment.Catalog.StartAsync(CancellationToken.None);
}
