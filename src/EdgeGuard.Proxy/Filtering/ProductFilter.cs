using EdgeGuard.Filter;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// The Bloom filter the gateway consults, and the rules that keep it free of false negatives while it is
/// built, rebuilt and written to:
/// <list type="bullet">
/// <item>until the first build is in use nothing is rejected;</item>
/// <item>a rebuild fills a new filter off to the side and swaps it in atomically
/// (<see cref="BeginRebuildAsync"/>); ids added while it ran are replayed into it under the same lock that
/// adds take, so no add can fall between the old filter and the new one;</item>
/// <item>an id whose write is in flight is <see cref="Pending"/>: never rejected, never answered from the
/// cache; it enters the filter only once the catalog said yes (<see cref="Add"/>), so a refused write leaves
/// the filter as it was.</item>
/// </list>
/// Reads are lock-free: one volatile load, the filter's own lock-free probe, and a pending check that costs
/// nothing while no write is in flight. Adds are rare (writes, announcements), so a lock there costs nothing
/// that matters.
/// </summary>
public sealed class ProductFilter
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _buildGate = new(1, 1);
    private volatile InUse? _inUse;
    private long _addedSinceBuild;

    // Ids added while a rebuild runs, or before any filter is in use, replayed into the next filter.
    private List<string>? _journal = [];

    // Ids added lately, replayed into every rebuilt filter: a source may not list them yet (a read replica
    // that lags behind the catalog, an export older than them), and a rebuild must not drop them for that.
    private readonly Queue<(long At, string Id)> _recent = new();
    private readonly TimeSpan _recentWindow;
    private readonly int _recentLimit;

    private readonly IFilterTrust _trust;

    /// <param name="maxPending">Bound of <see cref="Pending"/>.</param>
    /// <param name="rebuildGrace">How long an added id is kept for rebuilds whose sources may not list it yet.</param>
    /// <param name="rebuildGraceLimit">Ids kept for that at most (the oldest go first).</param>
    /// <param name="trust">Whether the filter's "no" counts now (always, by default: a standalone gateway).</param>
    public ProductFilter(int maxPending = Configuration.WriteOptions.DefaultMaxPending, TimeSpan? rebuildGrace = null, int rebuildGraceLimit = 100_000, IFilterTrust? trust = null)
    {
        _trust = trust ?? AlwaysTrusted.Instance;
        Pending = new PendingIds(maxPending);
        _recentWindow = rebuildGrace ?? TimeSpan.FromMinutes(10);
        _recentLimit = rebuildGraceLimit;
    }

    /// <summary>True once a filter is in use: from then on "no" answers are trusted.</summary>
    public bool IsReady => _inUse is not null;

    /// <summary>The filter in use, or null before the first build.</summary>
    public BloomFilter? Current => _inUse?.Filter;

    /// <summary>Where the filter in use was built from (see <see cref="Snapshots.FilterProvenance"/>), or null.</summary>
    public Snapshots.FilterProvenance? Provenance => _inUse?.Provenance;

    /// <summary>
    /// Distinct ids the filter holds by construction: those it was built from plus those added since that it
    /// did not already hold. Not an estimate from its bits.
    /// </summary>
    public long Items => _inUse is { } inUse ? inUse.BuiltItems + Interlocked.Read(ref _addedSinceBuild) : 0;

    /// <summary>Ids whose writes are in flight or unresolved; see <see cref="PendingIds"/>.</summary>
    public PendingIds Pending { get; }

    /// <summary>True when the filter's answers and the cache may be trusted now (see <see cref="IFilterTrust"/>).</summary>
    public bool IsTrusted => _trust.IsTrusted;

    /// <summary>What the filter says of <paramref name="id"/>, pending writes and trust included: the read path's one check.</summary>
    public FilterVerdict Judge(string id)
    {
        if (!_trust.IsTrusted || Pending.Contains(id))
        {
            return FilterVerdict.Uncertain;
        }

        return _inUse is { } inUse && !inUse.Filter.MightContain(id) ? FilterVerdict.Absent : FilterVerdict.MayExist;
    }

    /// <summary>False only when the id certainly does not exist (<see cref="FilterVerdict.Absent"/>).</summary>
    public bool MightContain(string id) => Judge(id) != FilterVerdict.Absent;

    /// <summary>Adds an id the catalog now holds (a write it accepted, an announcement, a new row polled).</summary>
    public void Add(string id)
    {
        lock (_lock)
        {
            if (_inUse is { } inUse && AddCounted(inUse.Filter, id))
            {
                _addedSinceBuild++;
            }

            _journal?.Add(id);
            _recent.Enqueue((System.Diagnostics.Stopwatch.GetTimestamp(), id));
            TrimRecent();
        }
    }

    /// <summary>
    /// Starts a rebuild: from now until the returned handle commits or is disposed, every id added is also
    /// kept to be replayed into the new filter. One rebuild runs at a time; a caller that arrives while one
    /// runs waits for it and then builds again (its sources may have changed since).
    /// </summary>
    public async Task<Rebuild> BeginRebuildAsync(CancellationToken cancellationToken)
    {
        await _buildGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _journal ??= [];
        }

        return new Rebuild(this);
    }

    private void Swap(BuiltFilter built, bool carryOverCurrent)
    {
        var next = built.Filter;
        lock (_lock)
        {
            var added = 0L;
            if (carryOverCurrent && _inUse is { } previous &&
                previous.Filter.Layout == next.Layout && previous.Filter.BitCount == next.BitCount && previous.Filter.HashCount == next.HashCount &&
                previous.Filter.Key == next.Key)
            {
                // The sources cannot list ids added through the gateway (a products file alone): keep them.
                next.UnionWith(previous.Filter);
                added = Interlocked.Read(ref _addedSinceBuild);
            }

            TrimRecent();
            foreach (var id in (_journal ?? []).Concat(_recent.Select(recent => recent.Id)))
            {
                if (AddCounted(next, id))
                {
                    added++;
                }
            }

            _inUse = new InUse(next, built.Items, built.Provenance);
            Interlocked.Exchange(ref _addedSinceBuild, added);
            _journal = null;
        }
    }

    private void EndRebuild()
    {
        lock (_lock)
        {
            // Before the first filter is in use, adds are still kept for it.
            _journal = _inUse is null ? _journal ?? [] : null;
        }

        _buildGate.Release();
    }

    private void TrimRecent()
    {
        while (_recent.Count > 0 &&
               (_recent.Count > _recentLimit || System.Diagnostics.Stopwatch.GetElapsedTime(_recent.Peek().At) > _recentWindow))
        {
            _recent.Dequeue();
        }
    }

    /// <summary>Adds <paramref name="id"/>; true when the filter did not already hold it.</summary>
    private static bool AddCounted(BloomFilter filter, string id)
    {
        var isNew = !filter.MightContain(id);
        filter.Add(id);
        return isNew;
    }

    private sealed record InUse(BloomFilter Filter, long BuiltItems, Snapshots.FilterProvenance? Provenance);

    /// <summary>A rebuild under way: build the new filter aside, then <see cref="Commit"/> it.</summary>
    public sealed class Rebuild(ProductFilter owner) : IDisposable
    {
        private int _ended;

        /// <summary>Replays the ids added meanwhile into <paramref name="built"/> and puts it in use.</summary>
        /// <param name="built">The filter built from the sources.</param>
        /// <param name="carryOverCurrent">Also keep every id of the filter in use (when the sources cannot list
        /// ids created through the gateway).</param>
        public void Commit(BuiltFilter built, bool carryOverCurrent)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _ended) != 0, this);
            owner.Swap(built, carryOverCurrent);
            Dispose();
        }

        /// <summary>Ends the rebuild; without <see cref="Commit"/> the filter in use stays as it was.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                owner.EndRebuild();
            }
        }
    }
}
