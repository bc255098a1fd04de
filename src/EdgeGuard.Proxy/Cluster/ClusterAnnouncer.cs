using System.Collections.Concurrent;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Tells the cluster: appends an entry to the filter stream and, when every member must have applied it before the
/// caller goes on (a write's begin, announced ids), waits for their acknowledgements (the "applied" channel, with a
/// short poll in case a message was missed). A member that does not acknowledge within <c>AnnounceTimeout</c> gets
/// the entry revoked and the caller refused: nothing is forwarded that some member could still reject.
/// </summary>
public sealed class ClusterAnnouncer(
    ClusterConnection connection,
    ClusterIdentity identity,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time)
{
    private static readonly TimeSpan AcknowledgementPoll = TimeSpan.FromMilliseconds(25);

    private readonly ConcurrentQueue<TaskCompletionSource> _waiters = new();

    private TimeSpan AnnounceTimeout => options.Value.Cluster.AnnounceTimeout;

    /// <summary>Some member said how far it applied the stream: announcers check again.</summary>
    public void MemberApplied()
    {
        while (_waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Appends an entry that needs no acknowledgement (an end of a write: the id is pending everywhere).</summary>
    public Task<LogPosition> AppendAsync(FilterStreamEntry entry) => connection.Stream.AppendAsync(entry with { By = identity.Id });

    /// <summary>
    /// Appends an entry and waits until every live member has applied it. If some member does not within the
    /// announce timeout, the entry is revoked with <paramref name="revoke"/> (when given) and the caller is refused.
    /// </summary>
    /// <exception cref="WriteRefusedException">Redis is unreachable, or a member did not confirm in time.</exception>
    public async Task<LogPosition> AnnounceAsync(FilterStreamEntry entry, Func<FilterStreamEntry>? revoke, CancellationToken cancellationToken)
    {
        if (!connection.IsOpen)
        {
            throw new WriteRefusedException("This instance has not joined its cluster yet.", TimeSpan.FromSeconds(1));
        }

        LogPosition position;
        try
        {
            position = await AppendAsync(entry).ConfigureAwait(false);
        }
        catch (Exception e) when (ClusterConnection.IsOutage(e))
        {
            throw new WriteRefusedException($"The cluster cannot be told (Redis: {e.Message}); nothing was forwarded.", AnnounceTimeout);
        }

        var laggards = await WaitForAllAsync(position, cancellationToken).ConfigureAwait(false);
        if (laggards.Count == 0)
        {
            return position;
        }

        if (revoke is not null)
        {
            // When Redis fails this, the begin stays open and the leader settles it after its deadline.
            await ClusterConnection.TryAsync(() => AppendAsync(revoke())).ConfigureAwait(false);
        }

        throw new WriteRefusedException(
            $"Not every instance of the cluster confirmed within {AnnounceTimeout.TotalSeconds:0.#} s (waiting for {string.Join(", ", laggards.Take(3))}); nothing was forwarded.",
            AnnounceTimeout);
    }

    /// <returns>The members that had not applied <paramref name="position"/> when the announce timeout ran out (none: all did).</returns>
    private async Task<IReadOnlyList<string>> WaitForAllAsync(LogPosition position, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        IReadOnlyList<string> laggards = [];
        while (time.GetElapsedTime(started) < AnnounceTimeout)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            try
            {
                laggards = await connection.Stream.LaggardsAsync(position).ConfigureAwait(false);
            }
            catch (Exception e) when (ClusterConnection.IsOutage(e))
            {
                laggards = ["(Redis unreachable)"];
            }

            if (laggards.Count == 0)
            {
                return laggards;
            }

            await Task.WhenAny(waiter.Task, Task.Delay(AcknowledgementPoll, time, cancellationToken)).ConfigureAwait(false);
        }

        return laggards;
    }
}
