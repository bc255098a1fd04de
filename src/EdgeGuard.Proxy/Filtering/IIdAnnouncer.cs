namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Makes ids that now exist in the catalog known to the filter: on this instance standalone, on every
/// instance of the cluster otherwise, before <see cref="AnnounceAsync"/> returns. For ids learned outside
/// the write path (new rows polled from the catalog's database, an admin's <c>POST /bloom/ids</c>).
/// </summary>
public interface IIdAnnouncer
{
    /// <exception cref="WriteRefusedException">The ids cannot be announced now (the cluster is unreachable);
    /// nothing is lost: the caller keeps them and tries again.</exception>
    ValueTask AnnounceAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);
}
