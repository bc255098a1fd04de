namespace EdgeGuard.Proxy.Filtering.Sources;

/// <summary>
/// One place the filter's ids come from (the products file, the catalog's id stream, the catalog's own
/// database). A source knows nothing of the filter: it streams ids, and the builder adds them.
/// </summary>
public interface IIdSource
{
    /// <summary>A short name for logs, stats and errors (e.g. <c>products-file</c>, <c>catalog</c>, <c>sql</c>).</summary>
    string Name { get; }

    /// <summary>
    /// True when the source never yields an id twice (a primary key read from a database), so a filter built
    /// from it alone needs no de-duplication to count its ids exactly.
    /// </summary>
    bool YieldsDistinctIds { get; }

    /// <summary>
    /// Streams every id the source holds, never materialised whole. Ids are passed as read; the builder
    /// applies the id rule and counts what it skips. Throws when the source cannot be read completely: a
    /// half-read source is not a catalog.
    /// </summary>
    IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken);
}

/// <summary>A source that can also say which ids were added since it was last asked.</summary>
public interface IIncrementalIdSource : IIdSource
{
    /// <summary>How often to ask.</summary>
    TimeSpan PollInterval { get; }

    /// <summary>
    /// The ids added after the source's cursor, in cursor order, at most <paramref name="maxIds"/>. The
    /// cursor does not move until <see cref="Advance"/> is called with the batch, so a batch that could not
    /// be applied is read again on the next poll (nothing is lost).
    /// </summary>
    Task<IdBatch> ReadNewAsync(int maxIds, CancellationToken cancellationToken);

    /// <summary>Moves the cursor past <paramref name="batch"/> once its ids are safely in the filter.</summary>
    void Advance(IdBatch batch);
}

/// <summary>New ids from an incremental source and the cursor after the last of them (null: nothing new).</summary>
public sealed record IdBatch(IReadOnlyList<string> Ids, object? Cursor)
{
    public static IdBatch Empty { get; } = new([], null);

    /// <summary>True when the batch was cut at the caller's limit: more rows may be waiting.</summary>
    public bool MayHaveMore { get; init; }
}
