using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Filtering;

namespace EdgeGuard.Proxy.Writes;

/// <summary>
/// The write protocol on one standalone instance (embedded cache): pending ids, the filter and the cache are
/// all in this process, so beginning a write is marking it pending here and committing is adding it here.
/// </summary>
public sealed class LocalWriteCoordinator(
    ProductFilter filter,
    CommitPositions commits,
    ProductCache cache,
    LocalFilterStore local,
    WriteVerifier verifier) : IWriteCoordinator
{
    public ValueTask<IPendingWrite> BeginAsync(string id, WriteKind kind, CancellationToken cancellationToken)
    {
        if (!filter.Pending.TryAdd(id))
        {
            throw new WriteRefusedException(
                $"{filter.Pending.Capacity} writes are already in flight (EdgeGuard:Writes:MaxPending); try again shortly.", TimeSpan.FromSeconds(1));
        }

        return ValueTask.FromResult<IPendingWrite>(new PendingWrite(this, id, kind));
    }

    private async ValueTask CommitAsync(string id, WriteKind kind)
    {
        // Into the filter before it stops being pending: never a moment where neither holds it.
        if (kind == WriteKind.Upsert)
        {
            local.Record([id], filter.Add); // on disk before the 2xx: a restart cannot forget it
        }

        // Answers fetched before this point are older than the write, wherever they are stored.
        commits.Committed(id, commits.Next());
        await cache.RemoveAsync(id).ConfigureAwait(false);
        filter.Pending.Remove(id);
    }

    private void End(string id) => filter.Pending.Remove(id);

    private WriteVerifier Verifier => verifier;

    private sealed class PendingWrite(LocalWriteCoordinator owner, string id, WriteKind kind) : IPendingWrite
    {
        private int _ended;

        public string Id => id;

        public WriteKind Kind => kind;

        public ValueTask CommitAsync(CancellationToken cancellationToken) =>
            TryEnd() ? owner.CommitAsync(id, kind) : ValueTask.CompletedTask;

        public ValueTask AbortAsync()
        {
            if (TryEnd())
            {
                owner.End(id);
            }

            return ValueTask.CompletedTask;
        }

        public void Unresolved()
        {
            if (TryEnd())
            {
                // Exists: committed. Absent: a create that failed or a delete that may have succeeded: cached
                // answers go, the filter gains nothing.
                owner.Verifier.VerifyInBackground(id, _ => owner.CommitAsync(id, WriteKind.Upsert), () => owner.CommitAsync(id, WriteKind.Delete));
            }
        }

        public ValueTask DisposeAsync()
        {
            Unresolved();
            return ValueTask.CompletedTask;
        }

        private bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
    }
}
