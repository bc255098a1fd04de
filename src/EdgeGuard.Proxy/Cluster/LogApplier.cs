using System.Collections.Concurrent;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Applies the filter stream in order, and owns how far it got (<see cref="Applied"/>): a begun write's id becomes
/// pending, a committed one enters the filter and leaves this instance's cache, announced ids enter the filter, a
/// snapshot is taken, a reported loss makes this instance reload from the sources. After each batch it says how far
/// it got (writers wait for every member to have applied their begin). Captures run between two entries, so what
/// they see is the state at exactly <see cref="Applied"/>.
/// </summary>
public sealed class LogApplier(
    ClusterConnection connection,
    ClusterIdentity identity,
    ClusterTrust trust,
    OpenWrites openWrites,
    SnapshotTaker snapshots,
    Doorbell doorbell,
    ProductFilter filter,
    CommitPositions commits,
    ProductCache cache,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    LogThrottle logThrottle,
    ILogger<LogApplier> logger)
{
    private const int ReadBatch = 500;

    private readonly ConcurrentQueue<Action> _captures = new();
    private TaskCompletionSource _batchApplied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _applied; // LogPosition.Packed

    /// <summary>Every entry up to here is applied. It moves back only when this instance loads its filter again.</summary>
    public LogPosition Applied => new(Interlocked.Read(ref _applied));

    /// <summary>Starts from <paramref name="position"/> (a join); fetches from now on are stamped with it at least.</summary>
    public void StartFrom(LogPosition position)
    {
        Interlocked.Exchange(ref _applied, position.Packed);
        commits.AdvanceTo(position.Packed);
    }

    /// <summary>Runs <paramref name="capture"/> between two entries of the stream: what it sees is exactly the state at <see cref="Applied"/>.</summary>
    public Task<T> CaptureAsync<T>(Func<T> capture)
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
        doorbell.Ring();
        return done.Task;
    }

    /// <summary>Waits (bounded) until this instance has applied the stream up to <paramref name="position"/>:
    /// a writer's own next read then finds the id out of pending and its cache usable.</summary>
    public async Task WaitUntilAppliedAsync(LogPosition position, TimeSpan timeout)
    {
        var started = time.GetTimestamp();
        while (Applied < position && time.GetElapsedTime(started) < timeout)
        {
            var applied = Volatile.Read(ref _batchApplied).Task;
            doorbell.Ring();
            await Task.WhenAny(applied, Task.Delay(TimeSpan.FromMilliseconds(50), time)).ConfigureAwait(false);
        }
    }

    /// <summary>Tells the other members how far this one got (writers wait for it); the heartbeat carries it too.</summary>
    public Task PublishAppliedAsync() => ConnectionTry(stream => stream.PublishAppliedAsync(identity.Id, Applied));

    /// <summary>Applies what the stream gains, batch after batch, until a reload is due (then it returns) or the host stops.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && !trust.ReloadDue)
        {
            await doorbell.WaitAsync(options.Value.Cluster.PollInterval, stoppingToken).ConfigureAwait(false);
            while (_captures.TryDequeue(out var capture))
            {
                capture();
            }

            int read;
            do
            {
                read = await ApplyBatchAsync(stoppingToken).ConfigureAwait(false);
            }
            while (read == ReadBatch);

            trust.Refresh(Applied);
        }
    }

    /// <returns>How many entries the batch had (0 when reading or applying failed, or a reload became due).</returns>
    private async Task<int> ApplyBatchAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<FilterStreamEntry> batch;
        try
        {
            batch = await connection.Stream.ReadAsync(Applied, ReadBatch).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailure("cluster-read", e);
            return 0;
        }

        try
        {
            // Read, then check: trimming only moves forward, so a stream that reaches back to Applied now did when it
            // was read. One that does not may have lost entries this instance never applied (it was frozen, or cut
            // off, while the stream trimmed past it): applying what is left would move Applied past the hole and hide
            // it from every later check.
            if (batch.Count > 0 && !await connection.Stream.ReachesBackToAsync(Applied).ConfigureAwait(false))
            {
                ClusterLogMessages.LogGap(logger, Applied.StreamId);
                trust.RequestReload();
                return 0;
            }

            foreach (var entry in batch)
            {
                await ApplyAsync(entry).ConfigureAwait(false);
                // After it is applied: one that failed is read and applied again.
                Interlocked.Exchange(ref _applied, entry.Position.Packed);
                commits.AdvanceTo(entry.Position.Packed);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailure("cluster-apply", e);
            return 0;
        }

        if (batch.Count > 0)
        {
            await PublishAppliedAsync().ConfigureAwait(false);
            Interlocked.Exchange(ref _batchApplied, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        return batch.Count;
    }

    private void LogFailure(string what, Exception exception)
    {
        if (logThrottle.ShouldLog(what, out var suppressed))
        {
            ClusterLogMessages.ReadFailed(logger, suppressed, exception.Message);
        }
    }

    private async ValueTask ApplyAsync(FilterStreamEntry entry)
    {
        switch (entry.Op)
        {
            case LogOp.Begin when entry is { WriteId: { } write, Id: { } id }:
                openWrites.Open(new OpenWrite(write, id, entry.Deadline));
                break;
            case LogOp.Commit when entry.Id is { } id:
                if (!entry.IsDelete)
                {
                    filter.Add(id);
                }

                await ForgetCachedAsync(id, entry.Position).ConfigureAwait(false);
                openWrites.End(entry.WriteId);
                break;
            case LogOp.Abort:
                openWrites.End(entry.WriteId);
                break;
            case LogOp.Add:
                foreach (var id in entry.Ids)
                {
                    filter.Add(id);
                    await ForgetCachedAsync(id, entry.Position).ConfigureAwait(false);
                }

                break;
            case LogOp.Snapshot when entry.SnapshotVersion > snapshots.Version && entry.By != identity.Id:
                _ = snapshots.TakeAsync(entry.SnapshotVersion, () => Applied);
                break;
            case LogOp.Lost:
                ClusterLogMessages.LogLostReported(logger, entry.By ?? "another instance");
                trust.RequestReload(fromSources: true);
                break;
        }
    }

    /// <summary>Answers fetched before this position are older than a write of <paramref name="id"/>: this L1 lets them go.</summary>
    private ValueTask ForgetCachedAsync(string id, LogPosition position)
    {
        commits.Committed(id, position.Packed);
        return cache.EvictLocalAsync(id);
    }

    private Task ConnectionTry(Func<FilterStream, Task> action) => ClusterConnection.TryAsync(() => action(connection.Stream));
}
