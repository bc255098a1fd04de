using EdgeGuard.Faults.Checker.History;
using EdgeGuard.Faults.Deployments;

namespace EdgeGuard.Faults.Faults;

/// <summary>
/// Fault 5: the Redis primary killed and Sentinel promoting the replica, which lacks the last writes: replication to it is
/// held first, so every write acknowledged from then on (its log entries) is on the primary only. After the failover the
/// log has gone back in time; every acknowledged id must still never be a 404.
/// </summary>
public sealed class RedisFailover(TimeSpan writesNotReplicated) : IFault
{
    public string Key => "redis-failover";

    public string Title => $"the Redis primary killed, Sentinel promoting a replica that lacks the last {writesNotReplicated.TotalSeconds:0} s of writes";

    public RedisKind Redis => RedisKind.Failover;

    public async Task InjectAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var redis = context.Deployment.Redis as IFailoverRedis ?? throw new InvalidOperationException("This fault needs Redis with Sentinel.");
        var started = context.Recorder.Now();
        await redis.HoldReplicationAsync();
        context.Recorder.Event(started, OpKind.Fault, null, "replication to the replica held");
        context.Note("replication to the replica held: writes acknowledged from now on are on the primary only");
        await Task.Delay(writesNotReplicated, cancellationToken);

        var failing = context.Recorder.Now();
        await redis.KillPrimaryAndWaitForFailoverAsync();
        context.Recorder.Event(failing, OpKind.Heal, null, "primary killed; the Sentinels promoted the replica");
        context.Note("primary killed (SIGKILL); the replica is the primary now");
    }
}
