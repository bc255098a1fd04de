using EdgeGuard.Proxy.Filtering;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Ids learned outside the write path (new rows of the catalog's database, <c>POST /bloom/ids</c>) reach every
/// instance: appended to the filter log as one entry per batch, and confirmed by every live member before the
/// announcement returns. If some member does not confirm in time the caller is refused and tries again (the
/// entry stays in the log: the ids arrive anyway; an instance that cannot confirm stops trusting its filter).
/// </summary>
public sealed class ClusterIdAnnouncer(ClusterAnnouncer announcer) : IIdAnnouncer
{
    private const int BatchSize = 1_000;

    public async ValueTask AnnounceAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < ids.Count; offset += BatchSize)
        {
            var batch = ids.Skip(offset).Take(BatchSize).ToList();
            await announcer.AnnounceAsync(new FilterStreamEntry(LogOp.Add) { Ids = batch }, revoke: null, cancellationToken).ConfigureAwait(false);
        }
    }
}
