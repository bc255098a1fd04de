using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using EdgeGuard.Proxy.Observability;
using Npgsql;
using Npgsql.PostgresTypes;
using NpgsqlTypes;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>
/// The full read from PostgreSQL at COPY speed: <c>COPY (Query) TO STDOUT (FORMAT binary)</c> through Npgsql's binary
/// exporter, streamed row by row (the server sends rows as it produces them; nothing is held but the row being read).
/// </summary>
/// <remarks>
/// <para>First the query's first column is described (parsed, not run). A COPY is used when it is text (<c>text</c>,
/// <c>varchar</c>, <c>char</c>, <c>name</c>, <c>citext</c>, or a domain over one), an integer (<c>smallint</c>,
/// <c>integer</c>, <c>bigint</c>) or a <c>uuid</c>: read as the data reader spells them (text as it is, padding
/// included; numbers in invariant form; a uuid in its usual lower-case form; NULL as "", an invalid id the builder
/// skips and counts), so the incremental query, which reads through a data reader, names every id the same way.
/// Columns after the first are skipped.</para>
/// <para>The data reader reads the query instead (<see cref="DataReaderIds"/>, logged) when the column is of another
/// type, or when the server refuses the COPY before sending a row: a PostgreSQL-compatible server without binary
/// COPY. (PostgreSQL itself runs in a COPY every query it runs as a subquery, which the start-up check requires:
/// FOR UPDATE and data-modifying WITH included; a column without binary output fails the data reader as well, which
/// Npgsql also reads in binary.) An error after rows were sent fails the read, as any failure of a source does: the ids
/// already passed on cannot be taken back.</para>
/// </remarks>
internal sealed class PostgresCopyIds(NpgsqlDataSource dataSource, SqlIdDatabase database, ILogger logger)
{
    private enum IdColumn
    {
        Text,
        Int16,
        Int32,
        Int64,
        Uuid,
    }

    /// <summary>The COPY statement for a query. Tests give one the server refuses, standing for a server without binary COPY.</summary>
    internal Func<string, string> CopyStatement { get; init; } =
        // The closing parenthesis on a line of its own: a query ending in a comment stays whole.
        query => $"COPY (\n{query}\n) TO STDOUT (FORMAT binary)";

    public async IAsyncEnumerable<string> ReadAsync(string query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        IdColumn column = default;
        NpgsqlBinaryExporter? export = null;
        try
        {
            var described = await DescribeAsync(connection, query, cancellationToken).ConfigureAwait(false);
            if (described is { } known)
            {
                column = known;
                export = await TryBeginAsync(connection, query, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (export is null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            await foreach (var id in DataReaderIds.ReadAsync(database, query, cancellationToken).ConfigureAwait(false))
            {
                yield return id;
            }

            yield break;
        }

        var completed = false;
        try
        {
            int columns;
            while ((columns = await export.StartRowAsync(cancellationToken).ConfigureAwait(false)) != -1)
            {
                var id = await ReadIdAsync(export, column, cancellationToken).ConfigureAwait(false);
                for (var skipped = 1; skipped < columns; skipped++)
                {
                    await export.SkipAsync(cancellationToken).ConfigureAwait(false);
                }

                yield return id;
            }

            completed = true;
        }
        finally
        {
            if (!completed)
            {
                // Stopped half-way (cancelled, a failure, a consumer that gave up): without a cancel, disposing the
                // export would read the rest of the result first.
                await TryCancelAsync(export).ConfigureAwait(false);
            }

            await SqlIdSource.DisposeQuietlyAsync(export, completed).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>How the first column is read by COPY, or null when it is read by the data reader (logged).</summary>
    private async Task<IdColumn?> DescribeAsync(NpgsqlConnection connection, string query, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(query, connection);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SchemaOnly, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (reader.FieldCount < 1)
                {
                    throw DataReaderIds.NoColumn();
                }

                var type = reader.GetPostgresType(0);
                while (type is PostgresDomainType domain)
                {
                    type = domain.BaseType;
                }

                IdColumn? column = type.InternalName switch
                {
                    "text" or "varchar" or "bpchar" or "name" or "citext" => IdColumn.Text,
                    "int2" => IdColumn.Int16,
                    "int4" => IdColumn.Int32,
                    "int8" => IdColumn.Int64,
                    "uuid" => IdColumn.Uuid,
                    _ => null,
                };
                if (column is null)
                {
                    LogMessages.SqlCopyNotUsed(logger, $"its id column is of type {type.DisplayName}, which a binary COPY is not used for");
                }

                return column;
            }
        }
    }

    /// <summary>The export under way, or null when the server refused the COPY (logged).</summary>
    private async Task<NpgsqlBinaryExporter?> TryBeginAsync(NpgsqlConnection connection, string query, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.BeginBinaryExportAsync(CopyStatement(query), cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            LogMessages.SqlCopyNotUsed(logger, $"the server refused COPY ... TO STDOUT (FORMAT binary) ({e.SqlState}: {e.MessageText})");
            return null;
        }
    }

    private static async ValueTask<string> ReadIdAsync(NpgsqlBinaryExporter export, IdColumn column, CancellationToken cancellationToken)
    {
        switch (column)
        {
            case IdColumn.Text:
                // IsNull reads the column's length, which StartRow has almost always buffered with the row.
                if (!export.IsNull)
                {
                    return await export.ReadAsync<string>(NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                }

                await export.SkipAsync(cancellationToken).ConfigureAwait(false);
                return "";
            case IdColumn.Int16:
                return Spell(await export.ReadAsync<short?>(NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false));
            case IdColumn.Int32:
                return Spell(await export.ReadAsync<int?>(NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false));
            case IdColumn.Int64:
                return Spell(await export.ReadAsync<long?>(NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false));
            default:
                return await export.ReadAsync<Guid?>(NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false) is { } uuid ? uuid.ToString() : "";
        }
    }

    private static string Spell<T>(T? value)
        where T : struct, IFormattable =>
        value is { } number ? number.ToString(null, CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// Has the server cancel the COPY, so that disposing the export does not read the rest of the result. The export's
    /// own <see cref="NpgsqlBinaryExporter.Cancel"/> sends the server a cancel request only while a read is in flight
    /// (between reads it cancels nothing), so a read is started with a token cancelled already.
    /// </summary>
    private static async ValueTask TryCancelAsync(NpgsqlBinaryExporter export)
    {
        try
        {
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync().ConfigureAwait(false);
            await export.StartRowAsync(cancelled.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort: the connection is closed next anyway.
        }
    }
}
