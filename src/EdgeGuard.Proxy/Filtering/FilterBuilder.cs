using System.Diagnostics;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>A filter built from the sources, not yet in use.</summary>
/// <param name="Filter">The new filter.</param>
/// <param name="Items">Distinct valid ids read from the sources.</param>
/// <param name="Duration">How long reading the sources took.</param>
/// <param name="OutgrewConfiguredSize">True when the sources held more ids than <c>ExpectedItems</c> and the filter was sized for the real count.</param>
/// <param name="Provenance">Which sources it was built from, when, and up to where (kept with its snapshots); null when not known.</param>
public sealed record BuiltFilter(BloomFilter Filter, long Items, TimeSpan Duration, bool OutgrewConfiguredSize, FilterProvenance? Provenance = null);

/// <summary>
/// Builds a new filter from the configured <see cref="IIdSource"/>s, off to the side: the filter in use is
/// not touched (see <see cref="ProductFilter.BeginRebuildAsync"/> for the swap). Ids go into it through a
/// <see cref="ParallelBloomFilterBuilder"/> (the sources are read on one thread while the workers apply the previous
/// batch on every core; the same bits as adding them one by one, in memory bounded by its two batches). Ids the id
/// rule refuses are skipped and counted. Distinct ids are counted: as read, for a single source of distinct ids;
/// otherwise exactly while they fit <see cref="DistinctIdCounter"/>'s bounded table, and past that estimated from the
/// filter (<see cref="DistinctIdEstimate"/>). When the sources hold more ids than the filter is sized for, it is sized
/// again for that count with headroom and the sources are read once more (and again, up to four reads, should the
/// estimate from a filter far past its capacity have fallen short), so the false-positive rate stays the one promised.
/// </summary>
public sealed class FilterBuilder(IdSourceSet sources, ProductIdRule idRule, FilterKeyProvider keys, IOptions<EdgeGuardOptions> options, TimeProvider time, ILogger<FilterBuilder> logger)
{
    /// <summary>Reads of the sources one build may take: the first, and resizes.</summary>
    private const int MaxReads = 4;

    private BloomOptions Bloom => options.Value.Bloom;

    /// <summary>The most <see cref="DistinctIdCounter"/>'s table may take before the count is estimated instead (tests make it small).</summary>
    internal long DistinctCounterMaxBytes { get; init; } = DistinctIdCounter.DefaultMaxBytes;

    /// <summary>True when some source lists products created through the catalog's API (the catalog, its database).</summary>
    public bool SourcesListApiCreatedProducts => Bloom.HasApiListingSource;

    /// <param name="knownItems">The item count of the filter in use, if any: a catalog that outgrew the
    /// configured size is sized for at once instead of being read twice on every rebuild.</param>
    public async Task<BuiltFilter> BuildAsync(long? knownItems, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // Read before the sources are: every id up to these positions, and every id created before now, is read below.
        var provenance = await ProvenanceAsync(cancellationToken).ConfigureAwait(false);
        var capacity = Capacity(knownItems ?? 0);
        var (filter, items) = await ReadSourcesAsync(capacity, cancellationToken).ConfigureAwait(false);
        for (var pass = 1; items > capacity && pass < MaxReads; pass++)
        {
            var larger = WithHeadroom(items);
            LogMessages.FilterResized(logger, items, capacity, larger);
            capacity = larger;
            filter = null; // unreachable before the next one is allocated: a rebuild holds two filters at most
            (filter, items) = await ReadSourcesAsync(capacity, cancellationToken).ConfigureAwait(false);
        }

        return new BuiltFilter(filter!, items, Stopwatch.GetElapsedTime(started), capacity > Bloom.ExpectedItems, provenance);
    }

    /// <summary>The sources' identity, the time and their positions now: what a filter read from them from now on covers.</summary>
    public async Task<FilterProvenance> ProvenanceAsync(CancellationToken cancellationToken)
    {
        var readAt = time.GetUtcNow();
        var positions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in sources.All)
        {
            if (await source.PositionAsync(cancellationToken).ConfigureAwait(false) is { } position)
            {
                positions[source.Name] = position;
            }
        }

        return new FilterProvenance(sources.Identity, readAt, positions);
    }

    /// <summary>
    /// <paramref name="provenance"/> with the positions of the sources that move while the gateway runs (incremental
    /// queries, whose new ids the filter in use holds up to their cursor) as they are now. Taken before a snapshot's
    /// bits are: the bits then hold every id up to those positions.
    /// </summary>
    public async Task<FilterProvenance?> SnapshotProvenanceAsync(FilterProvenance? provenance, CancellationToken cancellationToken)
    {
        if (provenance is null)
        {
            return null;
        }

        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in sources.Incremental)
        {
            if (await source.PositionAsync(cancellationToken).ConfigureAwait(false) is { } position)
            {
                moved[source.Name] = position;
            }
        }

        return provenance.With(moved);
    }

    /// <summary>The n to size for: the configured one, or the known count with headroom once the catalog outgrew it.</summary>
    internal long Capacity(long knownItems) => knownItems > Bloom.ExpectedItems ? WithHeadroom(knownItems) : Bloom.ExpectedItems;

    private long WithHeadroom(long items) => (long)Math.Ceiling(items * Bloom.GrowthHeadroom);

    /// <summary>
    /// Ids per batch of the parallel builder: a 64th of the capacity, from 4,096 to 16,384 (0.85 MB per batch of the
    /// blocked layout, two batches). A rebuild holds the filter in use, the new one and the batches at once, so the
    /// batches are kept small; from a database the read, not the builder, sets the pace (bench/RESULTS.md, "Fifty
    /// million ids against issue 23's targets").
    /// </summary>
    internal static int BatchSize(long capacity) => (int)Math.Clamp(capacity / 64, 4_096, MaxBatchSize);

    private const int MaxBatchSize = 16_384;

    private async Task<(BloomFilter? Filter, long Items)> ReadSourcesAsync(long capacity, CancellationToken cancellationToken)
    {
        var filter = new BloomFilter(capacity, Bloom.FalsePositiveRate, BloomLayoutSetting.Of(Bloom), keys.Current);
        // One source of distinct ids (a primary key) is counted as read; anything else is de-duplicated.
        var distinct = sources.All.Count == 1 && sources.All[0].YieldsDistinctIds ? null : new DistinctIdCounter(DistinctCounterMaxBytes);
        long accepted;
        using (var adding = new ParallelBloomFilterBuilder(filter, batchSize: BatchSize(capacity)))
        {
            var intake = new IdIntake(adding, idRule, distinct);
            foreach (var source in sources.All)
            {
                var started = Stopwatch.GetTimestamp();
                var (read, skipped) = await intake.ReadAsync(source, cancellationToken).ConfigureAwait(false);
                LogMessages.SourceRead(logger, source.Name, read - skipped, skipped, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            await adding.CompleteAsync(cancellationToken).ConfigureAwait(false);
            accepted = intake.Accepted;
        }

        var items = distinct is null ? accepted : distinct.ExactCount ?? DistinctIdEstimate.Of(filter);
        return (filter, items);
    }
}
