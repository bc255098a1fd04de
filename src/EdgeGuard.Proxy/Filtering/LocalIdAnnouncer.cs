namespace EdgeGuard.Proxy.Filtering;

/// <summary>Standalone: the filter is this process's alone.</summary>
public sealed class LocalIdAnnouncer(ProductFilter filter, LocalFilterStore local, Caching.CommitPositions commits, Caching.ProductCache cache) : IIdAnnouncer
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
