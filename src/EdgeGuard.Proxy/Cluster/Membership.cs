using System.Diagnostics;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// This instance's membership: a heartbeat every <c>HeartbeatInterval</c> records where it is in the stream and keeps
/// it a live member (writers wait for live members), and renews the lease on its trust (<see cref="ClusterTrust.LeaseUntil"/>).
/// What a heartbeat sees decides the rest: another dataset (Redis lost the cluster's state) or a stream that no longer
/// reaches back to where this instance is makes it reload; a stream whose end went back (Redis lost entries) is
/// reported to every instance through the stream; coming back after an outage, a freeze or a join means catching up
/// to the end seen before it is trusted again.
/// </summary>
public sealed class Membership(
    ClusterConnection connection,
    ClusterIdentity identity,
    ClusterTrust trust,
    LogApplier applier,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    LogThrottle logThrottle,
    ILogger<Membership> logger)
{
    /// <summary>How long one report of a loss stands for every instance that notices the same loss.</summary>
    private static readonly TimeSpan LostReportTtl = TimeSpan.FromMinutes(1);

    private long _highestEnd; // LogPosition.Packed: the furthest stream end a heartbeat saw since joining

    private ClusterOptions Cluster => options.Value.Cluster;

    /// <summary>Live members at the last heartbeat, this one included.</summary>
    public int LiveMembers { get; private set; }

    /// <summary>How far behind the stream's end this instance was at its last heartbeat.</summary>
    public TimeSpan SyncLag { get; private set; }

    /// <summary>A join registered this instance when the stream ended at <paramref name="end"/>: losses are judged from there.</summary>
    public void Joined(LogPosition end) => Interlocked.Exchange(ref _highestEnd, end.Packed);

    /// <summary>Beats until the host stops; <paramref name="afterBeat"/> runs after each one Redis confirmed.</summary>
    public async Task RunAsync(Func<Task> afterBeat, CancellationToken stoppingToken)
    {
        var failing = true;
        using var timer = new PeriodicTimer(Cluster.HeartbeatInterval, time);
        do
        {
            if (!connection.IsOpen)
            {
                continue;
            }

            try
            {
                await BeatAsync(failing, stoppingToken).ConfigureAwait(false);
                await afterBeat().ConfigureAwait(false);
                failing = false;
                trust.Refresh(applier.Applied);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failing = true;
                if (logThrottle.ShouldLog("cluster-heartbeat", out var suppressed))
                {
                    ClusterLogMessages.HeartbeatFailed(logger, suppressed, e.Message);
                }
            }
        }
        while (await WaitForNextTickAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private async Task BeatAsync(bool failing, CancellationToken stoppingToken)
    {
        var sentAt = Stopwatch.GetTimestamp();
        var knownGeneration = connection.Generation;
        var applied = applier.Applied;
        var beat = await connection.Stream.HeartbeatAsync(identity.Id, applied, Cluster.MembershipTtl)
            .WaitAsync(Cluster.HeartbeatInterval, stoppingToken).ConfigureAwait(false);
        LiveMembers = beat.LiveMembers;
        SyncLag = beat.End > applied ? TimeSpan.FromMilliseconds(beat.End.Milliseconds - applied.Milliseconds) : TimeSpan.Zero;
        if (knownGeneration.Length > 0 && beat.Generation != knownGeneration)
        {
            // Redis lost the cluster's state (restarted empty, flushed): what this instance applied may have been
            // announced into a stream nobody can read any more.
            ClusterLogMessages.GenerationChanged(logger, Cluster.Name);
            trust.RequestReload();
        }
        else if (knownGeneration.Length > 0 && (beat.End < applied || beat.End.Packed < Interlocked.Read(ref _highestEnd)))
        {
            // The same dataset, but its stream's end went back: Redis lost entries some instance applied.
            await ReportLostEntriesAsync(beat.End).ConfigureAwait(false);
        }
        else if (failing || !beat.WasMember)
        {
            // Back after an outage, a freeze, or just (re)joined: entries may have been trimmed meanwhile, and writes
            // may have completed without this instance (it was no live member for them to wait for); it must read up
            // to this end before it is trusted again.
            trust.CatchUpTo(beat.End);
            if (!await connection.Stream.ReachesBackToAsync(applied).ConfigureAwait(false))
            {
                ClusterLogMessages.LogGap(logger, applied.StreamId);
                trust.RequestReload();
            }
        }

        RaiseHighestEnd(beat.End);
        // Writers treat this member as gone only after MembershipTtl from its last beat: it stops trusting one
        // interval sooner, counted from before the beat was sent.
        trust.LeaseUntil(sentAt + (long)((Cluster.MembershipTtl - Cluster.HeartbeatInterval).TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>
    /// The stream lost entries (its end went back): tells every instance through the stream itself (a joiner from an
    /// older snapshot reads it too), drops the snapshot of that time, and reloads this instance from the sources,
    /// where every write acknowledged before the loss is.
    /// </summary>
    private async Task ReportLostEntriesAsync(LogPosition end)
    {
        ClusterLogMessages.LogWentBack(logger, end.StreamId, LogPosition.Max(applier.Applied, new LogPosition(Interlocked.Read(ref _highestEnd))).StreamId);
        // One report per loss, whoever notices first: every instance applying it reloads once. When Redis fails
        // this, each instance that applied the lost entries notices it by itself; this one reloads either way.
        await ClusterConnection.TryAsync(async () =>
        {
            if (await connection.Stream.TryClaimLostReportAsync(identity.Id, LostReportTtl).ConfigureAwait(false))
            {
                await connection.Stream.AppendAsync(new FilterStreamEntry(LogOp.Lost) { By = identity.Id }).ConfigureAwait(false);
                await connection.Snapshots.ForgetAsync().ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        trust.RequestReload(fromSources: true);
    }

    private void RaiseHighestEnd(LogPosition end)
    {
        var current = Interlocked.Read(ref _highestEnd);
        while (current < end.Packed && Interlocked.CompareExchange(ref _highestEnd, end.Packed, current) != current)
        {
            current = Interlocked.Read(ref _highestEnd);
        }
    }

    private static async Task<bool> WaitForNextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
