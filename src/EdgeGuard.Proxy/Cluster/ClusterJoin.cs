using EdgeGuard.Filter;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Joins the cluster, at start and at every reload: takes a filter (the cluster's snapshot when the restorer says it
/// may reject, else one built from the sources) and a start position, with every write open at that position pending,
/// and registers as a member at that position (writers wait for it from then on). Nothing is trusted until the
/// filter is installed and verified and the stream is applied up to the end seen at the join (<see cref="ClusterTrust"/>).
/// </summary>
public sealed class ClusterJoin(
    ClusterConnection connection,
    ClusterIdentity identity,
    ClusterTrust trust,
    OpenWrites openWrites,
    LogApplier applier,
    Membership membership,
    SnapshotTaker snapshots,
    ProductFilter filter,
    CommitPositions commits,
    FilterKeyProvider filterKeys,
    FilterLoader loader,
    SnapshotRestorer restorer,
    SnapshotState snapshotState,
    Doorbell doorbell,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    LogThrottle logThrottle,
    ILogger<ClusterJoin> logger)
{
    private int _epoch;
    private long _joinedAt;

    private ClusterOptions Cluster => options.Value.Cluster;

    /// <summary>Joins, retrying until it succeeds; returns once registered (the filter may still be building).</summary>
    public async Task JoinAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await JoinOnceAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (logThrottle.ShouldLog("cluster-join", out var suppressed))
                {
                    ClusterLogMessages.JoinFailed(logger, attempt, suppressed, e);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 200 * attempt)), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// An instance joined from a snapshot trusts its filter no sooner than one heartbeat interval after joining, once no
    /// member's recorded position is past the stream's end: by then every live member has recorded where it is, and
    /// one that applied entries Redis lost (a failover just before this join) shows it, so this instance reloads from
    /// the sources instead of trusting a snapshot or a stream that lacks acknowledged writes.
    /// </summary>
    public async Task VerifyAsync()
    {
        if (trust.IsVerified || time.GetElapsedTime(Interlocked.Read(ref _joinedAt)) < Cluster.HeartbeatInterval)
        {
            return;
        }

        if (await StreamLostEntriesAsync().ConfigureAwait(false))
        {
            trust.RequestReload(fromSources: true);
            return;
        }

        trust.Verified();
    }

    private async Task JoinOnceAsync(CancellationToken stoppingToken)
    {
        var epoch = Interlocked.Increment(ref _epoch);
        // A reload asked for while this join runs makes the applier join again right after.
        var fromSources = trust.BeginJoin();
        Interlocked.Exchange(ref _joinedAt, time.GetTimestamp());

        await connection.RefreshGenerationAsync().ConfigureAwait(false);
        var key = await filterKeys.ResolveForClusterAsync(connection.Stream.EnsureFilterKeyAsync).ConfigureAwait(false);
        fromSources = fromSources || await StreamLostEntriesAsync().ConfigureAwait(false);
        var start = fromSources ? null : await JoinFromSnapshotAsync(key, epoch, stoppingToken).ConfigureAwait(false);
        var installedFrom = start is null ? "sources" : "snapshot";
        if (start is null)
        {
            // A filter read from the sources from now on holds every write acknowledged before: nothing a loss of
            // stream entries took can be missing from it.
            trust.Verified();

            // The stream's end now, then the sources (everything before it is in them, everything after is applied as
            // it comes and replayed into the new filter). Reading the end and registering are one script: a write
            // begun after it waits for this instance.
            var end = (await connection.Stream.HeartbeatAsync(identity.Id, applier.Applied, Cluster.MembershipTtl).ConfigureAwait(false)).End;
            start = end;
            applier.StartFrom(end);
            await RestoreOpenWritesBeforeAsync(end).ConfigureAwait(false);
            _ = BuildFromSourcesAsync(epoch, stoppingToken);
        }

        // Registered (again) at the position it starts from; trusted once it has read up to the end seen now.
        var joined = await connection.Stream.HeartbeatAsync(identity.Id, applier.Applied, Cluster.MembershipTtl).ConfigureAwait(false);
        trust.CatchUpTo(joined.End);
        membership.Joined(joined.End);
        await applier.PublishAppliedAsync().ConfigureAwait(false);
        ClusterLogMessages.Joined(logger, identity.Id, Cluster.Name, start.Value.StreamId, installedFrom);
    }

    /// <summary>
    /// Starts from the cluster's snapshot when there is a usable one: the restorer decides whether it may reject (see
    /// <see cref="SnapshotRestorer"/>). One that must wait is put in use all the same, so the stream applies on top of
    /// it, but this instance trusts nothing until its own rebuild from the sources ends.
    /// </summary>
    /// <returns>The stream position the filter in use covers, or null to build from the sources instead.</returns>
    private async Task<LogPosition?> JoinFromSnapshotAsync(BloomFilterKey key, int epoch, CancellationToken stoppingToken)
    {
        var stream = connection.Stream;
        var manifest = await connection.Snapshots.ReadManifestAsync().ConfigureAwait(false);
        if (manifest is null || manifest.Generation != connection.Generation || !await stream.ReachesBackToAsync(manifest.Position).ConfigureAwait(false) ||
            manifest.Position > await stream.EndAsync().ConfigureAwait(false))
        {
            snapshotState.Set(SnapshotStatus.None, manifest is null ? "the cluster has no filter snapshot yet" : "the cluster's snapshot belongs to another Redis dataset or is older than the log reaches back");
            return null;
        }

        LoadedSnapshot? loaded;
        try
        {
            loaded = await connection.Snapshots.ReadAsync(key).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            ClusterLogMessages.SnapshotUnusable(logger, manifest.Version, e.Message);
            return null;
        }

        if (loaded is null)
        {
            return null;
        }

        var decision = await restorer.DecideAsync(
            new BuiltFilter(loaded.Filter, loaded.Manifest.Items, TimeSpan.Zero, false, loaded.Manifest.Provenance), "cluster", stoppingToken).ConfigureAwait(false);
        snapshotState.Set(decision.Status, decision.Reason);
        if (decision.Filter is not { } usable)
        {
            return null;
        }

        using (var rebuild = await filter.BeginRebuildAsync(CancellationToken.None).ConfigureAwait(false))
        {
            rebuild.Commit(usable, carryOverCurrent: false);
        }

        applier.StartFrom(loaded.Manifest.Position);
        commits.DistrustBefore(loaded.Manifest.Position.Packed);
        foreach (var open in loaded.Manifest.OpenWrites)
        {
            openWrites.Open(open);
        }

        await RestoreOpenWritesBeforeAsync(loaded.Manifest.Position).ConfigureAwait(false);
        snapshots.Version = loaded.Manifest.Version;
        if (decision.Status == SnapshotStatus.Restored)
        {
            trust.Installed();
        }
        else
        {
            _ = BuildFromSourcesAsync(epoch, stoppingToken); // trusted once it ends
        }

        return loaded.Manifest.Position;
    }

    /// <summary>
    /// True when some member applied the stream further than it now goes (its recorded position is past the last
    /// entry): Redis lost entries, and a snapshot of that time may lack writes acknowledged since.
    /// </summary>
    private async Task<bool> StreamLostEntriesAsync()
    {
        var end = await connection.Stream.EndAsync().ConfigureAwait(false);
        if (await connection.Stream.HighestAppliedAsync().ConfigureAwait(false) is var highest && highest > end)
        {
            ClusterLogMessages.LogWentBack(logger, end.StreamId, highest.StreamId);
            return true;
        }

        return false;
    }

    /// <summary>Writes begun before <paramref name="position"/> and not ended by then are still pending: found in the
    /// stream's last <c>WriteDeadline</c> (older ones have been settled by the leader).</summary>
    private async Task RestoreOpenWritesBeforeAsync(LogPosition position)
    {
        var from = LogPosition.Of(Math.Max(0, position.Milliseconds - (long)(Cluster.WriteDeadline + TimeSpan.FromMinutes(1)).TotalMilliseconds), 0);
        foreach (var entry in await connection.Stream.RangeAsync(from, position).ConfigureAwait(false))
        {
            switch (entry.Op)
            {
                case LogOp.Begin when entry is { WriteId: { } write, Id: { } id }:
                    openWrites.Open(new OpenWrite(write, id, entry.Deadline));
                    break;
                case LogOp.Commit or LogOp.Abort:
                    openWrites.End(entry.WriteId);
                    break;
            }
        }
    }

    private async Task BuildFromSourcesAsync(int epoch, CancellationToken stoppingToken)
    {
        try
        {
            await loader.LoadWithRetriesAsync(stoppingToken).ConfigureAwait(false);
            if (Volatile.Read(ref _epoch) == epoch)
            {
                trust.Installed(); // a later join owns the state otherwise
                doorbell.Ring();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (ConfigurationErrorException e)
        {
            loader.StopForConfiguration(e);
        }
    }
}
