namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Makes ids that now exist in the catalog known to the filter: on this instance standalone, on every
/// instance of the cluster otherwise, before <see cref="AnnounceAsync"/> returns. For ids learned outside
/// the write path (new rows polled from the catalog's database, an admin's <c>POST /bloom/ids</c>).
/// </summary>
public interface IIdAnnouncer
{
    /// <exception cref="Writes.WriteRefusedException">The ids cannot be announced now (the cluster is unreachable);
    /// nothing is lost: the caller keeps them and tries again.</exception>
    ValueTask AnnounceAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);
}

/// <summary>Standalone: the filter is this process's alone.</summary>
public sealed class LocalIdAnnouncer(ProductFilter filter, LocalFilterStore local, Writes.CommitPositions commits, Caching.ProductCache cache) : IIdAnnouncer
{
    public async ValueTask AnnounceAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        local.Record(ids, filter.Add);
        foreach (var id in ids)
        {
            // A negative answer cached for it is older than what the catalog now says.
            commits.Committed(id, commits.Next());
            await cache.RemoveAsync(id).ConfigureAwait(false);
        }
    }
}
