using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Snapshots;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Takes the snapshots another instance publishes (the leader, after its rebuild): loaded aside, the stream since its
/// position replayed into it, then swapped in. Knows which version this instance's filter comes from (<see cref="Version"/>).
/// A snapshot that cannot be used (of other sources, another dataset, gone) is skipped: the filter in use is sound.
/// </summary>
public sealed class SnapshotTaker(
    ClusterConnection connection,
    ProductFilter filter,
    FilterKeyProvider filterKeys,
    SnapshotRestorer restorer,
    ILogger<SnapshotTaker> logger)
{
    private long _version;

    /// <summary>The version of the snapshot this instance's filter was last made from or published as.</summary>
    public long Version
    {
        get => Interlocked.Read(ref _version);
        set => Interlocked.Exchange(ref _version, value);
    }

    /// <param name="version">The version announced in the stream.</param>
    /// <param name="applied">How far this instance has applied the stream (read once the snapshot is in hand).</param>
    public async Task TakeAsync(long version, Func<LogPosition> applied)
    {
        try
        {
            using var rebuild = await filter.BeginRebuildAsync(CancellationToken.None).ConfigureAwait(false);
            var loaded = await connection.Snapshots.ReadAsync(filterKeys.Current).ConfigureAwait(false);
            if (loaded is null || loaded.Manifest.Version < version || loaded.Manifest.Generation != connection.Generation ||
                !restorer.IsFromConfiguredSources(loaded.Manifest.Provenance))
            {
                return;
            }

            // Entries applied since the snapshot's position but before the rebuild began are not in the journal.
            var items = loaded.Manifest.Items;
            foreach (var entry in await connection.Stream.RangeAsync(loaded.Manifest.Position, applied()).ConfigureAwait(false))
            {
                foreach (var id in entry.Op switch { LogOp.Commit when !entry.IsDelete && entry.Id is { } one => [one], LogOp.Add => entry.Ids, _ => [] })
                {
                    items += loaded.Filter.MightContain(id) ? 0 : 1;
                    loaded.Filter.Add(id);
                }
            }

            rebuild.Commit(new BuiltFilter(loaded.Filter, items, TimeSpan.Zero, false, loaded.Manifest.Provenance), carryOverCurrent: false);
            Version = loaded.Manifest.Version;
            ClusterLogMessages.SnapshotTaken(logger, loaded.Manifest.Version, loaded.Manifest.By, filter.Items);
        }
        catch (Exception e)
        {
            ClusterLogMessages.SnapshotUnusable(logger, version, e.Message);
        }
    }
}
