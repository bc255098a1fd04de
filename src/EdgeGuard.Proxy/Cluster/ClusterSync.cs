using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Writes;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Keeps this instance's filter in step with the cluster's, on the filter log in Redis:
/// <list type="bullet">
/// <item><b>Joining</b>: registers as a member first (writers wait for it from then on), takes the latest
/// snapshot when there is one (else builds from the sources), restores the writes open at that point, and
/// catches up with the log before it trusts its filter.</item>
/// <item><b>Applying</b>: every entry in order: a begun write's id becomes pending, a committed one enters the
/// filter and leaves the cache, learned ids enter the filter; then it says how far it got (writers wait for that).</item>
/// <item><b>Trust</b>: the filter may reject, and the cache answer, only while this instance is a member in good
/// standing (a heartbeat within the membership TTL) and caught up; otherwise it forwards everything, since
/// writes it did not see may have completed elsewhere. A log that no longer reaches back to where it stopped,
/// or a Redis that lost the cluster's state, makes it load again.</item>
/// </list>
/// </summary>
public sealed class ClusterSync(
    RedisConnection redis,
    ClusterIdentity identity,
    ProductFilter filter,
    CommitPositions commits,
    ProductCache cache,
    FilterKeyProvider filterKeys,
    FilterLoader loader,
    SnapshotRestorer restorer,
    SnapshotState snapshotState,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    LogThrottle logThrottle,
    ILogger<ClusterSync> logger) : BackgroundService
{
    private const int ReadBatch = 500;

    private readonly ConcurrentDictionary<string, OpenWrite> _openWrites = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _doorbell = new(0, int.MaxValue);
    private readonly ConcurrentQueue<TaskCompletionSource> _appliedWaiters = new();
    private TaskCompletionSource _batchApplied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FilterLog _log = null!;
    private SnapshotStore _snapshots = null!;
    private string _generation = "";
    private long _applied;          // LogPosition.Packed
    private long _catchUpTarget = long.MaxValue;
    private volatile bool _installed;
    private int _joinEpoch;
    private bool _pendingOverflow;
    private long _snapshotVersion;
    private int _needsReload;

    // Trust is decided from several fields that two loops change (heartbeat, apply): one lock, so a decision
    // taken on an old catch-up target can never be written after a newer one.
    private readonly Lock _trustLock = new();

    private ClusterOptions Cluster => options.Value.Cluster;

    public string InstanceId => identity.Id;

    public bool IsClustered => redis.IsConfigured;

    public int LiveMembers { get; private set; }

    /// <summary>How far behind the log's end this instance was at its last heartbeat.</summary>
    public TimeSpan SyncLag { get; private set; }

    public LogPosition Applied => new(Interlocked.Read(ref _applied));

    internal FilterLog Log => _log;

    internal SnapshotStore Snapshots => _snapshots;

    internal string Generation => _generation;

    /// <summary>Writes begun and not ended, as the log says (the leader settles those past their deadline).</summary>
    internal IReadOnlyCollection<OpenWrite> OpenWrites => [.. _openWrites.Values];

    internal long SnapshotVersion { get => Interlocked.Read(ref _snapshotVersion); set => Interlocked.Exchange(ref _snapshotVersion, value); }

    /// <summary>Appends an entry that needs no acknowledgement (an end of a write: the id is pending everywhere).</summary>
    public Task<LogPosition> AppendAsync(FilterLogEntry entry) => _log.AppendAsync(entry with { By = identity.Id });

    /// <summary>
    /// Appends an entry and waits until every live member has applied it. If some member does not within the
    /// announce timeout, the entry is revoked with <paramref name="revoke"/> (when given) and the caller is refused.
    /// </summary>
    /// <exception cref="WriteRefusedException">Redis is unreachable, or a member did not confirm in time.</exception>
    public async Task<LogPosition> AnnounceAsync(FilterLogEntry entry, Func<FilterLogEntry>? revoke, CancellationToken cancellationToken)
    {
        if (_log is null)
        {
            throw new WriteRefusedException("This instance has not joined its cluster yet.", TimeSpan.FromSeconds(1));
        }

        LogPosition position;
        try
        {
            position = await _log.AppendAsync(entry with { By = identity.Id }).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisFailures.IsUnanswered(e, cancellationToken))
        {
            throw new WriteRefusedException($"The cluster cannot be told (Redis: {e.Message}); nothing was forwarded.", Cluster.AnnounceTimeout);
        }

        var deadline = time.GetTimestamp();
        IReadOnlyList<string> laggards = [];
        while (time.GetElapsedTime(deadline) < Cluster.AnnounceTimeout)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _appliedWaiters.Enqueue(waiter);
            try
            {
                laggards = await _log.LaggardsAsync(position).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisFailures.IsUnanswered(e, cancellationToken))
            {
                laggards = ["(Redis unreachable)"];
            }

            if (laggards.Count == 0)
            {
                return position;
            }

            // A member's "applied" message, or a short poll in case it was missed.
            await Task.WhenAny(waiter.Task, Task.Delay(TimeSpan.FromMilliseconds(25), time, cancellationToken)).ConfigureAwait(false);
        }

        if (revoke is not null)
        {
            try
            {
                await _log.AppendAsync(revoke() with { By = identity.Id }).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisFailures.IsUnanswered(e, cancellationToken))
            {
                // Its begin stays open; the leader settles it after its deadline.
            }
        }

        throw new WriteRefusedException(
            $"Not every instance of the cluster confirmed within {Cluster.AnnounceTimeout.TotalSeconds:0.#} s (waiting for {string.Join(", ", laggards.Take(3))}); nothing was forwarded.",
            Cluster.AnnounceTimeout);
    }

    /// <summary>Waits (bounded) until this instance has applied the log up to <paramref name="position"/>:
    /// a writer's own next read then finds the id out of pending and its cache usable.</summary>
    public async Task WaitUntilAppliedAsync(LogPosition position, TimeSpan timeout)
    {
        var started = time.GetTimestamp();
        while (Applied < position && time.GetElapsedTime(started) < timeout)
        {
            var applied = Volatile.Read(ref _batchApplied).Task;
            _doorbell.Release();
            await Task.WhenAny(applied, Task.Delay(TimeSpan.FromMilliseconds(50), time)).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="capture"/> between two entries of the log: what it sees is exactly the state at <see cref="Applied"/>.</summary>
    internal Task<T> CaptureAsync<T>(Func<T> capture)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _captures.Enqueue(() =>
        {
            try
            {
                done.TrySetResult(capture());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        _doorbell.Release();
        return done.Task;
    }

    private readonly ConcurrentQueue<Action> _captures = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!redis.IsConfigured)
        {
            return; // standalone: the FilterLoader keeps the filter
        }

        filter.RequireTrust();
        var keys = new ClusterKeys(Cluster.Name);
        var multiplexer = await redis.ConnectAsync().ConfigureAwait(false);
        _log = new FilterLog(multiplexer, keys, Cluster.LogMaxLength);
        _snapshots = new SnapshotStore(multiplexer, keys);
        var subscriber = multiplexer.GetSubscriber();
        await SubscribeAsync(subscriber, keys, stoppingToken).ConfigureAwait(false);

        var heartbeat = HeartbeatLoopAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await JoinAsync(stoppingToken).ConfigureAwait(false);
                await ApplyLoopAsync(stoppingToken).ConfigureAwait(false); // returns when a reload is needed
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await heartbeat.ConfigureAwait(false);
            try
            {
                await _log.LeaveAsync(identity.Id).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisFailures.IsUnanswered(e))
            {
                // Its membership expires by itself.
            }
        }
    }

    /// <summary>
    /// Takes a filter (the cluster's snapshot, else one built from the sources) and a start position, with
    /// every write open at that position pending. Retries until it succeeds; nothing is trusted meanwhile.
    /// </summary>
    private async Task JoinAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var epoch = Interlocked.Increment(ref _joinEpoch);
                lock (_trustLock)
                {
                    // A reload asked for while this join runs makes the apply loop join again right after.
                    Interlocked.Exchange(ref _needsReload, 0);
                    _installed = false;
                    filter.Distrust();
                    Interlocked.Exchange(ref _catchUpTarget, long.MaxValue);
                }

                _generation = await _log.EnsureGenerationAsync().ConfigureAwait(false);
                var key = await filterKeys.ResolveForClusterAsync(_log).ConfigureAwait(false);
                var start = await JoinFromSnapshotAsync(key, epoch, stoppingToken).ConfigureAwait(false);
                if (start is null)
                {
                    // No usable snapshot: the log's end now, then the sources (everything before it is in them,
                    // everything after is applied as it comes and replayed into the new filter). Reading the end
                    // and registering are one script: a write begun after it waits for this instance.
                    var end = (await _log.HeartbeatAsync(identity.Id, Applied, Cluster.MembershipTtl).ConfigureAwait(false)).End;
                    start = end;
                    SetApplied(end);
                    await RestoreOpenWritesBeforeAsync(end).ConfigureAwait(false);
                    _ = BuildFromSourcesAsync(epoch, stoppingToken);
                }

                // Registered (again) at the position it starts from; trusted once it has read up to the end seen now.
                var joined = await _log.HeartbeatAsync(identity.Id, Applied, Cluster.MembershipTtl).ConfigureAwait(false);
                Interlocked.Exchange(ref _catchUpTarget, joined.End.Packed);
                await PublishAppliedAsync().ConfigureAwait(false);
                ClusterLog.Joined(logger, identity.Id, Cluster.Name, start.Value.StreamId, _installed ? "snapshot" : "sources");
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (logThrottle.ShouldLog("cluster-join", out var suppressed))
                {
                    ClusterLog.JoinFailed(logger, attempt, suppressed, e);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 200 * attempt)), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Starts from the cluster's snapshot when there is a usable one: the restorer decides whether it may reject (see
    /// <see cref="SnapshotRestorer"/>). One that must wait is put in use all the same, so the log applies on top of
    /// it, but this instance trusts nothing until its own rebuild from the sources ends.
    /// </summary>
    /// <returns>The log position the filter in use covers, or null to build from the sources instead.</returns>
    private async Task<LogPosition?> JoinFromSnapshotAsync(BloomFilterKey key, int epoch, CancellationToken stoppingToken)
    {
        var manifest = await _snapshots.ReadManifestAsync().ConfigureAwait(false);
        if (manifest is null || manifest.Generation != _generation || !await _log.ReachesBackToAsync(manifest.Position).ConfigureAwait(false))
        {
            snapshotState.Set(SnapshotStatus.None, manifest is null ? "the cluster has no filter snapshot yet" : "the cluster's snapshot belongs to another Redis dataset or is older than the log reaches back");
            return null;
        }

        LoadedSnapshot? loaded;
        try
        {
            loaded = await _snapshots.ReadAsync(key).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            ClusterLog.SnapshotUnusable(logger, manifest.Version, e.Message);
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

        SetApplied(loaded.Manifest.Position);
        commits.DistrustBefore(loaded.Manifest.Position.Packed);
        foreach (var open in loaded.Manifest.OpenWrites)
        {
            OpenWrite(open);
        }

        await RestoreOpenWritesBeforeAsync(loaded.Manifest.Position).ConfigureAwait(false);
        SnapshotVersion = loaded.Manifest.Version;
        if (decision.Status == SnapshotStatus.Restored)
        {
            _installed = true;
        }
        else
        {
            _ = BuildFromSourcesAsync(epoch, stoppingToken); // trusted once it ends
        }

        return loaded.Manifest.Position;
    }

    /// <summary>Writes begun before <paramref name="position"/> and not ended by then are still pending: found
    /// in the log's last <c>WriteDeadline</c> (older ones have been settled by the leader).</summary>
    private async Task RestoreOpenWritesBeforeAsync(LogPosition position)
    {
        var from = LogPosition.Of(Math.Max(0, position.Milliseconds - (long)(Cluster.WriteDeadline + TimeSpan.FromMinutes(1)).TotalMilliseconds), 0);
        foreach (var entry in await _log.RangeAsync(from, position).ConfigureAwait(false))
        {
            switch (entry.Op)
            {
                case LogOp.Begin when entry is { WriteId: { } write, Id: { } id }:
                    OpenWrite(new OpenWrite(write, id, entry.Deadline));
                    break;
                case LogOp.Commit or LogOp.Abort when entry.WriteId is { } write && _openWrites.TryRemove(write, out var open):
                    filter.Pending.Remove(open.Id);
                    break;
            }
        }
    }

    private async Task BuildFromSourcesAsync(int epoch, CancellationToken stoppingToken)
    {
        try
        {
            await loader.LoadWithRetriesAsync(stoppingToken).ConfigureAwait(false);
            if (Volatile.Read(ref _joinEpoch) == epoch)
            {
                _installed = true; // a later join owns the state otherwise
                _doorbell.Release();
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

    private async Task ApplyLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && Volatile.Read(ref _needsReload) == 0)
        {
            await _doorbell.WaitAsync(Cluster.PollInterval, stoppingToken).ConfigureAwait(false);
            while (_captures.TryDequeue(out var capture))
            {
                capture();
            }

            IReadOnlyList<FilterLogEntry> batch;
            do
            {
                try
                {
                    batch = await _log.ReadAsync(Applied, ReadBatch).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    if (logThrottle.ShouldLog("cluster-read", out var suppressed))
                    {
                        ClusterLog.ReadFailed(logger, suppressed, e.Message);
                    }

                    break;
                }

                try
                {
                    // Read, then check: trimming only moves forward, so a log that reaches back to Applied now did
                    // when it was read. One that does not may have lost entries this instance never applied (it
                    // was frozen, or cut off, while the log trimmed past it): applying what is left would move
                    // Applied past the hole and hide it from every later check.
                    if (batch.Count > 0 && !await _log.ReachesBackToAsync(Applied).ConfigureAwait(false))
                    {
                        ClusterLog.LogGap(logger, Applied.StreamId);
                        RequestReload();
                        return;
                    }

                    foreach (var entry in batch)
                    {
                        await ApplyAsync(entry).ConfigureAwait(false);
                        SetApplied(entry.Position); // after it is applied: one that failed is read and applied again
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    if (logThrottle.ShouldLog("cluster-apply", out var suppressed))
                    {
                        ClusterLog.ReadFailed(logger, suppressed, e.Message);
                    }

                    break;
                }

                if (batch.Count > 0)
                {
                    await PublishAppliedAsync().ConfigureAwait(false);
                    Interlocked.Exchange(ref _batchApplied, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
            while (batch.Count == ReadBatch);

            RefreshTrust();
        }
    }

    private async ValueTask ApplyAsync(FilterLogEntry entry)
    {
        switch (entry.Op)
        {
            case LogOp.Begin when entry is { WriteId: { } write, Id: { } id }:
                OpenWrite(new OpenWrite(write, id, entry.Deadline));
                break;
            case LogOp.Commit when entry.Id is { } id:
                if (!entry.IsDelete)
                {
                    filter.Add(id);
                }

                await ForgetCachedAsync(id, entry.Position).ConfigureAwait(false);
                EndWrite(entry.WriteId);
                break;
            case LogOp.Abort:
                EndWrite(entry.WriteId);
                break;
            case LogOp.Add:
                foreach (var id in entry.Ids)
                {
                    filter.Add(id);
                    await ForgetCachedAsync(id, entry.Position).ConfigureAwait(false);
                }

                break;
            case LogOp.Snapshot when entry.SnapshotVersion > SnapshotVersion && entry.By != identity.Id:
                _ = TakeSnapshotAsync(entry.SnapshotVersion);
                break;
        }
    }

    /// <summary>Answers fetched before this position are older than a write of <paramref name="id"/>: this L1 lets them go.</summary>
    private ValueTask ForgetCachedAsync(string id, LogPosition position)
    {
        commits.Committed(id, position.Packed);
        return cache.EvictLocalAsync(id);
    }

    private void OpenWrite(OpenWrite write)
    {
        if (_openWrites.TryAdd(write.WriteId, write) && !filter.Pending.TryAdd(write.Id))
        {
            // The pending set is full: this instance cannot keep the write's id safe, so it trusts nothing
            // until the open writes drain.
            lock (_trustLock)
            {
                _pendingOverflow = true;
                filter.Distrust();
            }
        }
    }

    private void EndWrite(string? writeId)
    {
        if (writeId is not null && _openWrites.TryRemove(writeId, out var open))
        {
            filter.Pending.Remove(open.Id);
            if (_pendingOverflow && _openWrites.Count < filter.Pending.Capacity / 2)
            {
                _pendingOverflow = false;
                _openWrites.Values.ToList().ForEach(w => filter.Pending.TryAdd(w.Id));
            }
        }
    }

    /// <summary>Takes a snapshot another instance wrote (after its rebuild): loaded aside, the log since it
    /// replayed into it, then swapped in. A snapshot that cannot be used is skipped: the filter in use is sound.</summary>
    private async Task TakeSnapshotAsync(long version)
    {
        try
        {
            using var rebuild = await filter.BeginRebuildAsync(CancellationToken.None).ConfigureAwait(false);
            var loaded = await _snapshots.ReadAsync(filterKeys.Current).ConfigureAwait(false);
            if (loaded is null || loaded.Manifest.Version < version || loaded.Manifest.Generation != _generation ||
                !restorer.IsFromConfiguredSources(loaded.Manifest.Provenance))
            {
                return;
            }

            // Entries applied since the snapshot's position but before the rebuild began are not in the journal.
            var items = loaded.Manifest.Items;
            foreach (var entry in await _log.RangeAsync(loaded.Manifest.Position, Applied).ConfigureAwait(false))
            {
                foreach (var id in entry.Op switch { LogOp.Commit when !entry.IsDelete && entry.Id is { } one => [one], LogOp.Add => entry.Ids, _ => [] })
                {
                    items += loaded.Filter.MightContain(id) ? 0 : 1;
                    loaded.Filter.Add(id);
                }
            }

            rebuild.Commit(new BuiltFilter(loaded.Filter, items, TimeSpan.Zero, false, loaded.Manifest.Provenance), carryOverCurrent: false);
            SnapshotVersion = loaded.Manifest.Version;
            ClusterLog.SnapshotTaken(logger, loaded.Manifest.Version, loaded.Manifest.By, filter.Items);
        }
        catch (Exception e)
        {
            // A snapshot that cannot be taken now is skipped: the filter in use is sound.
            ClusterLog.SnapshotUnusable(logger, version, e.Message);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken stoppingToken)
    {
        var failing = true;
        using var timer = new PeriodicTimer(Cluster.HeartbeatInterval, time);
        do
        {
            if (_log is null)
            {
                continue;
            }

            var sentAt = Stopwatch.GetTimestamp();
            var knownGeneration = _generation;
            try
            {
                var beat = await _log.HeartbeatAsync(identity.Id, Applied, Cluster.MembershipTtl)
                    .WaitAsync(Cluster.HeartbeatInterval, stoppingToken).ConfigureAwait(false);
                LiveMembers = beat.LiveMembers;
                SyncLag = beat.End > Applied ? TimeSpan.FromMilliseconds(beat.End.Milliseconds - Applied.Milliseconds) : TimeSpan.Zero;
                if (knownGeneration.Length > 0 && beat.Generation != knownGeneration)
                {
                    // Redis lost the cluster's state (restarted empty, flushed): what this instance applied may
                    // have been announced into a log nobody can read any more.
                    ClusterLog.GenerationChanged(logger, Cluster.Name);
                    RequestReload();
                }
                else if (failing || !beat.WasMember)
                {
                    // Back after an outage, a freeze, or just (re)joined: entries may have been trimmed meanwhile,
                    // and writes may have completed without this instance (it was no live member for them to wait
                    // for); it must read up to this end before it is trusted again.
                    lock (_trustLock)
                    {
                        Interlocked.Exchange(ref _catchUpTarget, beat.End.Packed);
                        filter.Distrust();
                    }

                    if (!await _log.ReachesBackToAsync(Applied).ConfigureAwait(false))
                    {
                        ClusterLog.LogGap(logger, Applied.StreamId);
                        RequestReload();
                    }
                }

                failing = false;
                lock (_trustLock)
                {
                    filter.TrustUntil(sentAt + (long)((Cluster.MembershipTtl - Cluster.HeartbeatInterval).TotalSeconds * Stopwatch.Frequency));
                }

                RefreshTrust();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failing = true;
                if (logThrottle.ShouldLog("cluster-heartbeat", out var suppressed))
                {
                    ClusterLog.HeartbeatFailed(logger, suppressed, e.Message);
                }
            }
        }
        while (await WaitForNextTickAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private void RefreshTrust()
    {
        lock (_trustLock)
        {
            filter.SetTrusted(_installed && !_pendingOverflow && Volatile.Read(ref _needsReload) == 0 &&
                              Interlocked.Read(ref _applied) >= Interlocked.Read(ref _catchUpTarget));
        }
    }

    private void RequestReload()
    {
        lock (_trustLock)
        {
            Interlocked.Exchange(ref _needsReload, 1);
            filter.Distrust();
        }

        _doorbell.Release();
    }

    private void SetApplied(LogPosition position)
    {
        Interlocked.Exchange(ref _applied, position.Packed);
        commits.AdvanceTo(position.Packed);
    }

    private async Task PublishAppliedAsync()
    {
        try
        {
            await _log.PublishAppliedAsync(identity.Id, Applied).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisFailures.IsUnanswered(e))
        {
            // The heartbeat carries the position too.
        }
    }

    private async Task SubscribeAsync(ISubscriber subscriber, ClusterKeys keys, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await subscriber.SubscribeAsync(keys.Doorbell, (_, _) => _doorbell.Release()).ConfigureAwait(false);
                await subscriber.SubscribeAsync(keys.Applied, (_, _) =>
                {
                    while (_appliedWaiters.TryDequeue(out var waiter))
                    {
                        waiter.TrySetResult();
                    }
                }).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (RedisFailures.IsUnanswered(e) && !stoppingToken.IsCancellationRequested)
            {
                // The poll interval keeps the log read meanwhile; subscriptions resume with the connection.
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
            }
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
