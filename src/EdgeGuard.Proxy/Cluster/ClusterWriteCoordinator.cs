using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Writes;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// The write protocol across the cluster, on the filter log:
/// <list type="number">
/// <item>begin: appended, and confirmed by every live member before the write is forwarded; from then on every
/// instance forwards reads of the id (never rejects it, never answers it from a cache). A member that does not
/// confirm in time gets the write refused (503, nothing forwarded); so does a Redis that cannot be reached.</item>
/// <item>commit (the catalog said 2xx): appended; each instance adds an upsert's id to its filter and drops its
/// cached answers as it applies it, and this one removes the shared (Redis) entry. The id was pending everywhere
/// until then, so the 2xx need not wait: no instance can reject it or serve a stale answer meanwhile.</item>
/// <item>abort, or an unknown outcome settled from the catalog; a writer that died leaves a begin the leader settles.</item>
/// </list>
/// </summary>
public sealed class ClusterWriteCoordinator(
    ClusterAnnouncer announcer,
    LogApplier applier,
    ProductCache cache,
    WriteVerifier verifier,
    TimeProvider time,
    IOptions<EdgeGuardOptions> options) : IWriteCoordinator
{
    public async ValueTask<IPendingWrite> BeginAsync(string id, WriteKind kind, CancellationToken cancellationToken)
    {
        var writeId = Guid.NewGuid().ToString("N");
        var deadline = time.GetUtcNow() + options.Value.Cluster.WriteDeadline;
        await announcer.AnnounceAsync(
            new FilterStreamEntry(LogOp.Begin) { Id = id, WriteId = writeId, Deadline = deadline.ToUnixTimeMilliseconds() },
            () => new FilterStreamEntry(LogOp.Abort) { Id = id, WriteId = writeId },
            cancellationToken).ConfigureAwait(false);
        return new PendingWrite(this, id, writeId, kind);
    }

    private async ValueTask CommitAsync(string id, string writeId, WriteKind kind)
    {
        // Throws while Redis is unreachable: the caller leaves the write unresolved, so the id stays pending
        // everywhere until the commit can be told (after asking the catalog again).
        var position = await announcer.AppendAsync(new FilterStreamEntry(LogOp.Commit) { Id = id, WriteId = writeId, IsDelete = kind == WriteKind.Delete }).ConfigureAwait(false);
        await cache.RemoveAsync(id).ConfigureAwait(false);
        // Not needed for correctness (the id is pending here until then), but the writer's own next read is then
        // answered through the cache like any other.
        await applier.WaitUntilAppliedAsync(position, options.Value.Cluster.AnnounceTimeout).ConfigureAwait(false);
    }

    private async ValueTask AbortAsync(string id, string writeId) =>
        await announcer.AppendAsync(new FilterStreamEntry(LogOp.Abort) { Id = id, WriteId = writeId }).ConfigureAwait(false);

    private sealed class PendingWrite(ClusterWriteCoordinator owner, string id, string writeId, WriteKind kind) : IPendingWrite
    {
        private int _ended;

        public string Id => id;

        public WriteKind Kind => kind;

        public ValueTask CommitAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return ValueTask.CompletedTask;
            }

            return CommitOrSettleLaterAsync();

            async ValueTask CommitOrSettleLaterAsync()
            {
                try
                {
                    await owner.CommitAsync(id, writeId, kind).ConfigureAwait(false);
                }
                catch (Exception e) when (ClusterConnection.IsOutage(e))
                {
                    SettleFromCatalog();
                }
            }
        }

        public async ValueTask AbortAsync()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            try
            {
                await owner.AbortAsync(id, writeId).ConfigureAwait(false);
            }
            catch (Exception e) when (ClusterConnection.IsOutage(e))
            {
                // Pending everywhere is safe; the leader settles the open begin at its deadline.
            }
        }

        public void Unresolved()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                SettleFromCatalog();
            }
        }

        public ValueTask DisposeAsync()
        {
            Unresolved();
            return ValueTask.CompletedTask;
        }

        /// <summary>Exists: committed (an upsert's id enters the filters). Absent: a create that failed, or a
        /// delete that may have succeeded, so cached answers go and the filter gains nothing.</summary>
        private void SettleFromCatalog() => owner.Verifier.VerifyInBackground(id,
            _ => RetryAsync(() => owner.CommitAsync(id, writeId, WriteKind.Upsert)),
            () => RetryAsync(() => owner.CommitAsync(id, writeId, WriteKind.Delete)));

        /// <summary>Told to the cluster as soon as Redis is back (the id stays pending everywhere meanwhile).</summary>
        private static async ValueTask RetryAsync(Func<ValueTask> tell)
        {
            for (var delay = TimeSpan.FromMilliseconds(200); ; delay = TimeSpan.FromMilliseconds(Math.Min(5_000, delay.TotalMilliseconds * 2)))
            {
                try
                {
                    await tell().ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (ClusterConnection.IsOutage(e))
                {
                    await Task.Delay(delay).ConfigureAwait(false);
                }
            }
        }
    }

    private WriteVerifier Verifier => verifier;
}
