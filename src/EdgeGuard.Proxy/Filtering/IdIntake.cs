using EdgeGuard.Filter;
using EdgeGuard.Proxy.Filtering.Sources;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Hands the ids of the sources to a filter's builder: applies the id rule, counting what it skips, and counts what it
/// accepts (distinct ids as well, when given a counter). A source that offers its ids in chunks
/// (<see cref="IChunkedIdSource"/>) is read that way: the same ids in the same order, without a string per id.
/// </summary>
internal sealed class IdIntake(ParallelBloomFilterBuilder adding, ProductIdRule idRule, DistinctIdCounter? distinct)
{
    /// <summary>Ids handed to the builder so far, from every source read.</summary>
    public long Accepted { get; private set; }

    /// <summary>Reads every id of <paramref name="source"/> into the builder.</summary>
    /// <returns>The ids read, and of them those the id rule skipped.</returns>
    public async Task<(long Read, long Skipped)> ReadAsync(IIdSource source, CancellationToken cancellationToken)
    {
        long read = 0, skipped = 0;
        if (source is IChunkedIdSource chunked)
        {
            await foreach (var chunk in chunked.ReadChunksAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < chunk.Count; i++)
                {
                    read++;
                    skipped += await AddAsync(chunk.Memory(i), cancellationToken).ConfigureAwait(false) ? 0 : 1;
                }
            }
        }
        else
        {
            await foreach (var id in source.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                read++;
                skipped += await AddAsync(id.AsMemory(), cancellationToken).ConfigureAwait(false) ? 0 : 1;
            }
        }

        return (read, skipped);
    }

    /// <summary>False when the id rule refuses <paramref name="id"/>.</summary>
    private async ValueTask<bool> AddAsync(ReadOnlyMemory<char> id, CancellationToken cancellationToken)
    {
        if (!idRule.IsValid(id.Span))
        {
            return false;
        }

        await adding.AddAsync(id, cancellationToken).ConfigureAwait(false);
        distinct?.Add(id.Span);
        Accepted++;
        return true;
    }
}
