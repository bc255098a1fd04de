using StackExchange.Redis;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Keeps this instance's filter in step with the cluster's, on the filter stream in Redis: opens the cluster's
/// connection, listens to its channels, beats (<see cref="Membership"/>), and then joins (<see cref="ClusterJoin"/>)
/// and applies the stream (<see cref="LogApplier"/>) until a reload is due, and joins again. On stop it leaves, so
/// writers stop waiting for it at once. What each part guarantees is in <c>Cluster/README.md</c>.
/// </summary>
public sealed class ClusterSync(
    ClusterConnection connection,
    ClusterIdentity identity,
    ClusterJoin join,
    LogApplier applier,
    Membership membership,
    ClusterAnnouncer announcer,
    Doorbell doorbell,
    TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = await connection.OpenAsync().ConfigureAwait(false);
        await SubscribeAsync(subscriber, stoppingToken).ConfigureAwait(false);

        var heartbeat = membership.RunAsync(join.VerifyAsync, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await join.JoinAsync(stoppingToken).ConfigureAwait(false);
                await applier.RunAsync(stoppingToken).ConfigureAwait(false); // returns when a reload is due
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await heartbeat.ConfigureAwait(false);
            // Its membership expires by itself when Redis does not take this.
            await ClusterConnection.TryAsync(() => connection.Stream.LeaveAsync(identity.Id).WaitAsync(LeaveTimeout, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private async Task SubscribeAsync(ISubscriber subscriber, CancellationToken stoppingToken)
    {
        while (!await ClusterConnection.TryAsync(async () =>
               {
                   await subscriber.SubscribeAsync(connection.Keys.Doorbell, (_, _) => doorbell.Ring()).ConfigureAwait(false);
                   await subscriber.SubscribeAsync(connection.Keys.Applied, (_, _) => announcer.MemberApplied()).ConfigureAwait(false);
               }).ConfigureAwait(false))
        {
            // The poll interval keeps the stream read meanwhile; subscriptions resume with the connection.
            await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
        }
    }
}
