using EdgeGuard.Filter;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// The Bloom filter the gateway consults, and the rules that keep it free of false negatives while it is
/// built, rebuilt and written to:
/// <list type="bullet">
/// <item>until the first build completes nothing is rejected;</item>
/// <item>a rebuild fills a new filter off to the side and swaps it in atomically;</item>
/// <item>ids added through the gateway while a build runs, and ids whose writes were still in flight
/// when it began, are replayed into the new filter before the swap, under the same lock that adds take,
/// so no add can fall between the old filter and the new one.</item>
/// </list>
/// Reads are lock-free: one volatile load and the filter's own lock-free probe. Adds are rare (writes
/// through the gateway), so a lock there costs nothing that matters.
/// </summary>
public sealed class ProductFilter
{
    private readonly Lock _writeLock = new();
    private readonly SemaphoreSlim _buildGate = new(1, 1);
    private readonly Dictionary<string, int> _writesInFlight = new(StringComparer.Ordinal);
    private volatile BloomFilter? _current;
    private List<string>? _journal;

    /// <summary>True once a filter has been loaded: from then on "no" answers are trusted.</summary>
    public bool IsReady => _current is not null;

    /// <summary>The filter in use, or null before the first load.</summary>
    public BloomFilter? Current => _current;

    /// <summary>False only when the id certainly does not exist. Before the first load: always true.</summary>
    public bool MightContain(string id) => _current?.MightContain(id) ?? true;

    /// <summary>
    /// Adds ids about to be written upstream, before the write is forwarded, and keeps them registered until
    /// the returned handle is disposed, so a rebuild that starts meanwhile carries them over.
    /// </summary>
    public WriteRegistration BeginWrite(IReadOnlyList<string> ids)
    {
        lock (_writeLock)
        {
            foreach (var id in ids)
            {
                _current?.Add(id);
                _journal?.Add(id);
                _writesInFlight[id] = _writesInFlight.GetValueOrDefault(id) + 1;
            }
        }

        return new WriteRegistration(this, ids);
    }

    /// <summary>
    /// Builds a new filter with <paramref name="load"/> and swaps it in. One build runs at a time; a caller
    /// that arrives while one runs waits for it and then builds again (its sources may have changed since).
    /// On failure the filter in use stays as it was.
    /// </summary>
    /// <param name="create">Makes the empty filter to fill.</param>
    /// <param name="load">Adds the sources' ids to the new filter.</param>
    /// <param name="carryOverCurrent">Also keep every id of the filter in use (when the sources cannot
    /// list ids created through the gateway, e.g. the products file alone).</param>
    public async Task<BloomFilter> RebuildAsync(
        Func<BloomFilter> create, Func<BloomFilter, CancellationToken, Task> load, bool carryOverCurrent, CancellationToken cancellationToken)
    {
        await _buildGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_writeLock)
            {
                _journal = [.. _writesInFlight.Keys];
            }

            try
            {
                var next = create();
                await load(next, cancellationToken).ConfigureAwait(false);
                if (carryOverCurrent && _current is { } previous && previous.BitCount == next.BitCount && previous.HashCount == next.HashCount)
                {
                    next.UnionWith(previous);
                }

                lock (_writeLock)
                {
                    foreach (var id in _journal!)
                    {
                        next.Add(id);
                    }

                    _current = next;
                }

                return next;
            }
            finally
            {
                lock (_writeLock)
                {
                    _journal = null;
                }
            }
        }
        finally
        {
            _buildGate.Release();
        }
    }

    private void EndWrite(IReadOnlyList<string> ids)
    {
        lock (_writeLock)
        {
            foreach (var id in ids)
            {
                var left = _writesInFlight[id] - 1;
                if (left == 0)
                {
                    _writesInFlight.Remove(id);
                }
                else
                {
                    _writesInFlight[id] = left;
                }
            }
        }
    }

    /// <summary>Marks the end of a write started with <see cref="BeginWrite"/>.</summary>
    public sealed class WriteRegistration(ProductFilter owner, IReadOnlyList<string> ids) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.EndWrite(ids);
            }
        }
    }
}
