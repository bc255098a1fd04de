using System.Net;
using EdgeGuard.Faults.Checker.History;
using EdgeGuard.Faults.Deployments;
using EdgeGuard.Testing.Faults;

namespace EdgeGuard.Faults.Faults;

/// <summary>
/// Fault 6: a gateway (the leader) killed with SIGKILL while writes through it are in flight, then started again. To have
/// a write in flight at the worst moment, the catalog's answers to that gateway are held back (its requests still go
/// through at once): the harness waits until a create sent through it is committed in the catalog and unanswered, and
/// kills it then. Such a write's begin was confirmed by every instance, its commit is never told: every instance must
/// keep forwarding its id (never reject it) until the leader settles it from the catalog.
/// </summary>
public sealed class GatewayKill : IFault
{
    private static readonly TimeSpan CaughtWithin = TimeSpan.FromSeconds(10);

    public string Key => "gateway-kill";

    public string Title => "one gateway (the leader) killed (SIGKILL) with a create through it committed in the catalog and unanswered; started again";

    public RedisKind Redis => RedisKind.Single;

    public async Task InjectAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var deployment = context.Deployment;
        var target = await deployment.LeaderOrAsync(otherwise: 1);
        var started = context.Recorder.Now();
        await deployment.CatalogLink.DelayAsync(new DelayFault(TimeSpan.FromSeconds(30)) { Directions = FaultDirection.Downstream }, target);
        context.Recorder.Event(started, OpKind.Fault, target, $"the catalog's answers to gw-{target} held back (its requests pass)");

        var killing = context.Recorder.Now();
        string? committed = null;
        IReadOnlyList<string> inFlight = [];
        try
        {
            (committed, inFlight) = await CatchCommittedWriteAsync(context, target, cancellationToken);
        }
        finally
        {
            deployment.Gateways[target].Kill();
            context.Recorder.Event(killing, OpKind.Down, target, $"gw-{target} killed (SIGKILL)");
            await deployment.CatalogLink.HealAsync(HeldBytes.Drop);
        }

        var creates = inFlight.Count == 1 ? "1 create" : $"{inFlight.Count} creates";
        context.Note(committed is null
            ? $"gw-{target} killed with {creates} in flight, none seen committed in the catalog within {CaughtWithin.TotalSeconds} s"
            : $"gw-{target} killed with {creates} in flight ({string.Join(", ", inFlight)}), {committed} committed in the catalog");

        var restarting = context.Recorder.Now();
        await deployment.Gateways[target].StartAsync(cancellationToken);
        context.Recorder.Event(restarting, OpKind.Up, target, $"gw-{target} started again and ready");
        context.Recorder.Event(restarting, OpKind.Heal, target, "healed");
        var stats = await deployment.StatsAsync(target);
        context.Note($"gw-{target} restarted; its snapshot at start: {(stats is { } s ? s.GetProperty("snapshot").GetString() : "(stats unavailable)")}");
    }

    /// <summary>Polls the catalog (directly) for the creates in flight through <paramref name="target"/> until one exists there.</summary>
    private static async Task<(string? Committed, IReadOnlyList<string> InFlight)> CatchCommittedWriteAsync(FaultContext context, int target, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + CaughtWithin;
        IReadOnlyList<string> inFlight = [];
        while (DateTime.UtcNow < deadline)
        {
            inFlight = context.Workload.CreatesInFlight(target);
            foreach (var id in inFlight)
            {
                using var response = await context.Deployment.CatalogClient.GetAsync($"/products/{Uri.EscapeDataString(id)}", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK && context.Workload.CreatesInFlight(target).Contains(id))
                {
                    return (id, inFlight);
                }
            }

            await Task.Delay(20, cancellationToken);
        }

        return (null, inFlight);
    }
}
