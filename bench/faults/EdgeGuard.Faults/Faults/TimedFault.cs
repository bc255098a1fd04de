using EdgeGuard.Faults.Checker.History;
using EdgeGuard.Faults.Deployments;

namespace EdgeGuard.Faults.Faults;

/// <summary>
/// A fault in force for a set time: injected (recorded from before the injection to when it is in force), held for
/// <see cref="Duration"/>, then healed (recorded from the heal's start to when it is done). The heal runs even when the
/// run is cancelled meanwhile.
/// </summary>
public abstract class TimedFault(TimeSpan duration) : IFault
{
    public TimeSpan Duration => duration;

    public abstract string Key { get; }

    public abstract string Title { get; }

    public virtual RedisKind Redis => RedisKind.Single;

    /// <summary>Whether the fault hits one gateway (the leader, else gw-1) rather than a service every gateway uses.</summary>
    protected virtual bool OneGateway => false;

    /// <summary>The instance a fault on one gateway hits: the leader (so its lease must move or survive), else gw-1.</summary>
    protected static Task<int> TargetAsync(FaultContext context) => context.Deployment.LeaderOrAsync(otherwise: 1);

    public async Task InjectAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var target = OneGateway ? await TargetAsync(context) : -1;
        int? instance = OneGateway ? target : null;
        var started = context.Recorder.Now();
        var note = await InjectAsync(context, target);
        context.Recorder.Event(started, OpKind.Fault, instance, note);
        context.Note(note);
        try
        {
            await Task.Delay(duration, cancellationToken);
        }
        finally
        {
            var healing = context.Recorder.Now();
            await HealAsync(context, target);
            context.Recorder.Event(healing, OpKind.Heal, instance, "healed");
        }
    }

    /// <summary>Puts the fault in force (on <paramref name="target"/> when it hits one gateway, else -1); what it did, in words.</summary>
    protected abstract Task<string> InjectAsync(FaultContext context, int target);

    protected abstract Task HealAsync(FaultContext context, int target);

    protected static SingleRedis RedisOf(FaultContext context) =>
        context.Deployment.Redis as SingleRedis ?? throw new InvalidOperationException("This fault needs a single redis-server.");
}
