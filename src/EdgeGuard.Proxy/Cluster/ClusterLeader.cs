using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Writes;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// The work one instance does for the whole cluster, under a lease in Redis (a key with a TTL, renewed at a
/// third of it; when its holder dies another instance takes it within one TTL): rebuilding the filter from the
/// sources every <c>ReloadInterval</c> and publishing it as a snapshot the others take instead of each reading
/// the catalog; writing the first snapshot of a cluster; settling writes whose writer died mid-write (a begin
/// with no end past its deadline) from what the catalog says. An admin's reload on any instance also publishes.
/// </summary>
public sealed class ClusterLeader(
    ClusterConnection connection,
    ClusterAnnouncer announcer,
    LogApplier applier,
    OpenWrites openWrites,
    SnapshotTaker snapshots,
    ClusterIdentity identity,
    FilterLoader loader,
    ProductFilter filter,
    WriteVerifier verifier,
    FilterBuilder builder,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    LogThrottle logThrottle,
    ILogger<ClusterLeader> logger) : BackgroundService, IFilterReloader, ILeadership
{
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private volatile bool _isLeader;

    public bool IsLeader => _isLeader;

    private ClusterOptions Cluster => options.Value.Cluster;

    public async Task<FilterBuildReport> ReloadAsync(bool force, CancellationToken cancellationToken)
    {
        var report = await loader.ReloadAsync(force, cancellationToken).ConfigureAwait(false);
        await PublishSnapshotAsync().ConfigureAwait(false);
        return report;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Cluster.LeaderLeaseTtl / 3, time);
        try
        {
            do
            {
                if (!connection.IsOpen)
                {
                    continue;
                }

                try
                {
                    await KeepLeaseAsync(connection.Stream).ConfigureAwait(false);
                    if (_isLeader && filter.IsReady)
                    {
                        SettleOrphanedWrites();
                        if (await RebuildDueAsync().ConfigureAwait(false))
                        {
                            await ReloadAsync(force: false, stoppingToken).ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The leader's duties are retried on the next tick; whatever failed, the instance keeps serving.
                    // Only Redis's own errors: these duties include the catalog's rebuild, whose failures say nothing of the lease.
                    if (e is RedisException or TimeoutException)
                    {
                        _isLeader = false; // not sure of the lease any more: another instance may take it
                    }

                    if (logThrottle.ShouldLog("cluster-leader", out var suppressed))
                    {
                        ClusterLogMessages.LeaderFailed(logger, suppressed, e.Message);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (_isLeader && connection.IsOpen)
            {
                // The lease expires by itself when Redis does not take this.
                await ClusterConnection.TryAsync(() => connection.Stream.ReleaseLeaseAsync(identity.Id).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }

    private async Task KeepLeaseAsync(FilterStream log)
    {
        if (_isLeader)
        {
            _isLeader = await log.RenewLeaseAsync(identity.Id, Cluster.LeaderLeaseTtl).ConfigureAwait(false);
        }
        else if (await log.TryAcquireLeaseAsync(identity.Id, Cluster.LeaderLeaseTtl).ConfigureAwait(false))
        {
            _isLeader = true;
            ClusterLogMessages.Leading(logger, identity.Id, Cluster.Name);
        }
    }

    /// <summary>
    /// Due once the cluster's snapshot's sources were read <c>ReloadInterval</c> ago (at once for a snapshot left by a
    /// cluster that was down longer: instances joining from it forward until a rebuild), and at once when the cluster
    /// has no snapshot of this Redis dataset yet.
    /// </summary>
    private async Task<bool> RebuildDueAsync()
    {
        if (await connection.Snapshots.ReadManifestAsync().ConfigureAwait(false) is not { } manifest || manifest.Generation != connection.Generation)
        {
            // Only a filter this instance trusts: not one still catching up or reloading (after a loss of log entries).
            if (filter.IsTrusted)
            {
                await PublishSnapshotAsync().ConfigureAwait(false);
            }

            return false;
        }

        if (options.Value.Bloom.ReloadInterval is not { } interval)
        {
            return false;
        }

        var readAt = manifest.Provenance?.ReadAt ?? DateTimeOffset.MinValue;
        return time.GetUtcNow() - readAt >= interval;
    }

    /// <summary>Writes the filter in use, exactly as it stands at a log position, with the writes open there.</summary>
    private async Task PublishSnapshotAsync()
    {
        await _publishing.WaitAsync().ConfigureAwait(false);
        try
        {
            // Before the bits: they then hold every id up to its positions.
            var provenance = await builder.SnapshotProvenanceAsync(filter.Provenance, CancellationToken.None).ConfigureAwait(false);
            var captured = await applier.CaptureAsync(() =>
            {
                var bytes = new SnapshotBuffer();
                filter.Current!.WriteTo(bytes);
                return (Bytes: bytes, Items: filter.Items, Position: applier.Applied, Open: openWrites.All);
            }).ConfigureAwait(false);
            using var bytes = captured.Bytes;
            var manifest = await connection.Snapshots.WriteAsync(bytes, captured.Position, connection.Generation,
                captured.Items, [.. captured.Open], identity.Id, provenance).ConfigureAwait(false);
            snapshots.Version = manifest.Version;
            await announcer.AppendAsync(new FilterStreamEntry(LogOp.Snapshot) { SnapshotVersion = manifest.Version }).ConfigureAwait(false);
            ClusterLogMessages.SnapshotWritten(logger, manifest.Version, manifest.Items, manifest.Bytes, manifest.Position.StreamId);
        }
        finally
        {
            _publishing.Release();
        }
    }

    /// <summary>A begin past its deadline has lost its writer: what the catalog says settles it, for everyone.</summary>
    private void SettleOrphanedWrites()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var open in openWrites.All)
        {
            if (open.Deadline == 0 || open.Deadline > now || !openWrites.TryStartSettling(open.WriteId))
            {
                continue;
            }

            ClusterLogMessages.OrphanedWrite(logger, open.WriteId, open.Id);
            verifier.VerifyInBackground(open.Id,
                async _ =>
                {
                    await announcer.AppendAsync(new FilterStreamEntry(LogOp.Commit) { Id = open.Id, WriteId = open.WriteId }).ConfigureAwait(false);
                    openWrites.Settled(open.WriteId);
                },
                async () =>
                {
                    // Absent: a create that failed, or a delete that succeeded; either way cached answers go
                    // and the filter gains nothing (a commit of a delete).
                    await announcer.AppendAsync(new FilterStreamEntry(LogOp.Commit) { Id = open.Id, WriteId = open.WriteId, IsDelete = true }).ConfigureAwait(false);
                    openWrites.Settled(open.WriteId);
                });
        }
    }
}
