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
    /// What makes this source this source (a file's full path, the catalog's URL, a database with its queries),
    /// without secrets. A filter snapshot records it: one built from other sources is never trusted to reject.
    /// </summary>
    string Identity { get; }

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

    /// <summary>
    /// Where the source stands now, as text a snapshot keeps: a filter that read the source from here on holds all
    /// its ids up to this position. Null (the default) for a source that cannot say what changed after a position:
    /// a snapshot built from it is trusted only while it is younger than <c>ReloadInterval</c>.
    /// </summary>
    ValueTask<string?> PositionAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    /// <summary>What the source can say, at a restart, about ids it gained after <paramref name="position"/>.</summary>
    ValueTask<SinceSnapshot> SinceAsync(string position, CancellationToken cancellationToken) => ValueTask.FromResult(SinceSnapshot.Unknown);
}

/// <summary>What a source can say about the ids it gained after a snapshot recorded its position.</summary>
public enum SinceSnapshot
{
    /// <summary>It cannot tell: the snapshot is trusted only while younger than <c>ReloadInterval</c>.</summary>
    Unknown,

    /// <summary>It is as it was: nothing was added (a products file of the same size and time).</summary>
    Unchanged,

    /// <summary>It can list what was added (an incremental query from the snapshot's cursor): the restart reads
    /// that into the snapshot's filter before trusting it.</summary>
    Readable,
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

    /// <summary>Puts the cursor at <paramref name="position"/> (from a snapshot whose filter holds every id up to it).</summary>
    /// <exception cref="FormatException">The position is not one this source wrote.</exception>
    void StartFrom(string position);
}

/// <summary>New ids from an incremental source and the cursor after the last of them (null: nothing new).</summary>
public sealed record IdBatch(IReadOnlyList<string> Ids, object? Cursor)
{
    public static IdBatch Empty { get; } = new([], null);

    /// <summary>True when the batch was cut at the caller's limit: more rows may be waiting.</summary>
    public bool MayHaveMore { get; init; }
}
