using System.Data;
using System.Data.Common;
using EdgeGuard.Proxy.Configuration;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>
/// A <see cref="SqlIdSource"/> that also learns new rows: <c>EdgeGuard:Bloom:Sql:IncrementalQuery</c> run with the
/// last cursor as <c>@cursor</c>, at most <c>maxIds</c> rows per read. The cursor is kept in memory, moves only on
/// <see cref="Advance"/> (once the ids are in the filter), and is kept with every snapshot (<see cref="PositionAsync"/>).
/// <para>
/// Where it starts never depends on what the query makes of NULL: the first full read records the highest cursor
/// there is (the incremental query from its start, highest row), and the poller goes on from there. The start is
/// NULL when the query returns rows for it, else the lowest value of the cursor's type; a query that returns nothing
/// from either while <c>Query</c> returns ids would never learn one, and stops the gateway naming
/// <c>IncrementalQuery</c>.
/// </para>
/// </summary>
public sealed class IncrementalSqlIdSource : SqlIdSource, IIncrementalIdSource
{
    /// <summary>The position of a cursor that has not read a row yet (the query's start).</summary>
    private const string StartPosition = "start";

    private readonly SemaphoreSlim _resolving = new(1, 1);
    private SqlCursor? _cursor;
    private Start? _start;

    internal IncrementalSqlIdSource(SqlSourceOptions options, SqlIdDatabase database)
        : base(options, database) =>
        IncrementalQueryText = TrimStatement(options.IncrementalQuery!);

    public TimeSpan PollInterval => Options.PollInterval;

    /// <summary>The cursor value after the last batch advanced past (as the database's type maps to .NET), or null before any.</summary>
    public object? Cursor => Volatile.Read(ref _cursor)?.Value;

    public override string Identity => $"{base.Identity} incremental {Digest(IncrementalQueryText)}";

    internal string IncrementalQueryText { get; }

    /// <summary>Where the cursor is: every row up to it was read and is in the filter. Before any poll, the highest
    /// cursor the table holds now (read once, before the full read that covers it).</summary>
    public async ValueTask<string?> PositionAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _cursor) is null && await ReadHighestAsync(cancellationToken).ConfigureAwait(false) is { } highest)
        {
            Interlocked.CompareExchange(ref _cursor, highest, null);
        }

        return Volatile.Read(ref _cursor)?.ToText() ?? StartPosition;
    }

    public ValueTask<SinceSnapshot> SinceAsync(string position, CancellationToken cancellationToken) =>
        ValueTask.FromResult(position == StartPosition || SqlCursor.TryParse(position, out _) ? SinceSnapshot.Readable : SinceSnapshot.Unknown);

    public void StartFrom(string position)
    {
        if (position == StartPosition)
        {
            Volatile.Write(ref _cursor, null);
            return;
        }

        Volatile.Write(ref _cursor, SqlCursor.TryParse(position, out var cursor)
            ? cursor
            : throw new FormatException($"'{position}' is not a cursor of {SqlSourceOptions.SectionPath}:IncrementalQuery."));
    }

    public async Task<IdBatch> ReadNewAsync(int maxIds, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIds, 1);
        var from = Volatile.Read(ref _cursor) ?? (await ResolveStartAsync(cancellationToken).ConfigureAwait(false)).Cursor;
        var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                // One row more than asked for: it tells whether more are waiting, and the LIMIT lets the database
                // stop there (with an index on the cursor column, a page costs its own rows, not the table).
                command.CommandText = Limited(IncrementalQueryText, maxIds + 1);
                Database.AddCursor(command, from);
                var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
                var completed = false;
                try
                {
                    if (reader.FieldCount < 2)
                    {
                        throw new SqlSourceException(
                            $"{SqlSourceOptions.SectionPath}:IncrementalQuery returned {reader.FieldCount} column(s); it must return two: (id, cursor).");
                    }

                    var read = IdReader(reader);
                    var ids = new List<string>(Math.Min(maxIds, 1024));
                    SqlCursor? last = null;
                    var more = false;
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (ids.Count == maxIds)
                        {
                            more = true;
                            break;
                        }

                        var id = read(reader);
                        if (reader.IsDBNull(1))
                        {
                            throw new SqlSourceException(
                                $"{SqlSourceOptions.SectionPath}:IncrementalQuery returned a NULL cursor (second column) for id '{id}'; every row needs one.");
                        }

                        ids.Add(id);
                        last = Database.ReadCursor(reader, 1);
                    }

                    completed = true;
                    return ids.Count == 0 ? IdBatch.Empty : new IdBatch(ids, last) { MayHaveMore = more };
                }
                finally
                {
                    if (!completed)
                    {
                        TryCancel(command);
                    }

                    await DisposeQuietlyAsync(reader, completed).ConfigureAwait(false);
                }
            }
        }
    }

    public void Advance(IdBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        switch (batch.Cursor)
        {
            case null:
                return; // nothing was read: the cursor stays
            case SqlCursor cursor:
                Volatile.Write(ref _cursor, cursor);
                return;
            default:
                throw new ArgumentException($"The batch's cursor ({batch.Cursor.GetType().Name}) was not read by this source.", nameof(batch));
        }
    }

    private protected override async Task CheckMoreAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await CheckQueryAsync(connection, "IncrementalQuery", IncrementalQueryText, columns: 2, withCursor: true, cancellationToken).ConfigureAwait(false);
        await ResolveStartAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The highest cursor the query returns from its start (null when it returns no row).</summary>
    private async Task<SqlCursor?> ReadHighestAsync(CancellationToken cancellationToken)
    {
        var start = await ResolveStartAsync(cancellationToken).ConfigureAwait(false);
        var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = $"SELECT * FROM (\n{IncrementalQueryText}\n) AS edgeguard_ids ORDER BY 2 DESC LIMIT 1";
                Database.AddCursor(command, start.Cursor);
                var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(1) ? Database.ReadCursor(reader, 1) : null;
                }
            }
        }
    }

    private async Task<Start> ResolveStartAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _start) is { } known)
        {
            return known;
        }

        var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ResolveStartAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Where the first poll starts (see the class's remarks); decided once.</summary>
    /// <exception cref="ConfigurationErrorException">The query returns nothing from any start while <c>Query</c> returns ids.</exception>
    private async Task<Start> ResolveStartAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _start) is { } known)
            {
                return known;
            }

            var (hasRows, type, dataTypeName) = await ProbeAsync(connection, cursor: null, cancellationToken).ConfigureAwait(false);
            var start = hasRows ? new Start(null) : null;
            var lowest = SqlCursor.LowestOf(type, dataTypeName);
            if (start is null && lowest is not null && (await ProbeAsync(connection, lowest, cancellationToken).ConfigureAwait(false)).HasRows)
            {
                start = new Start(lowest);
            }

            if (start is null && await QueryHasRowsAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                throw new ConfigurationErrorException(
                    $"{SqlSourceOptions.SectionPath}:IncrementalQuery returns no row for @cursor NULL" +
                    (lowest is null ? $" (and its cursor's type, {dataTypeName ?? type?.Name ?? "unknown"}, has no lowest value to start from)" : $" nor for the lowest {dataTypeName ?? type?.Name}") +
                    " while Query returns ids, so it would never learn a new id. Make NULL mean \"from the beginning\", e.g. " +
                    "WHERE @cursor IS NULL OR seq > @cursor ORDER BY seq (PostgreSQL: @cursor::bigint IS NULL), or use a cursor column of a numeric, time or text type.");
            }

            // An empty catalog cannot show whether the query starts well: the lowest value is the safe start.
            start ??= new Start(lowest);
            Volatile.Write(ref _start, start);
            return start;
        }
        finally
        {
            _resolving.Release();
        }
    }

    /// <summary>Whether the query returns a row after <paramref name="cursor"/>, and its cursor column's type.</summary>
    private Task<(bool HasRows, Type? Type, string? DataTypeName)> ProbeAsync(DbConnection connection, SqlCursor? cursor, CancellationToken cancellationToken) =>
        InReadOnlyTransactionAsync(connection, async transaction =>
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.Transaction = transaction;
                command.CommandText = Limited(IncrementalQueryText, 1);
                Database.AddCursor(command, cursor);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var hasRows = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var (type, dataTypeName) = reader.FieldCount > 1 ? Database.ColumnType(reader, 1) : (null, null);
                    return (hasRows, type, dataTypeName);
                }
            }
        }, cancellationToken);

    /// <summary>The first poll's <c>@cursor</c>: NULL, or the lowest value of the cursor's type.</summary>
    private sealed record Start(SqlCursor? Cursor);
}
