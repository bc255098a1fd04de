using System.Buffers.Binary;
using System.Data;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EdgeGuard.Proxy.Observability;
using Npgsql;
using Npgsql.PostgresTypes;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>
/// The full read from PostgreSQL at COPY speed: <c>COPY (Query) TO STDOUT (FORMAT binary)</c> through Npgsql's raw COPY
/// stream, streamed (the server sends rows as it produces them; nothing is held but a buffer of them), its rows read by
/// <see cref="CopyBinaryRows"/> into reused chunks of ids on a thread of its own: nothing allocated per id
/// (<see cref="IChunkedIdSource"/>).
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

    /// <summary>Every id of <paramref name="query"/>, one string each.</summary>
    public async IAsyncEnumerable<string> ReadAsync(string query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await BeginAsync(query, cancellationToken).ConfigureAwait(false) is not { } copy)
        {
            await foreach (var id in DataReaderIds.ReadAsync(database, query, cancellationToken).ConfigureAwait(false))
            {
                yield return id;
            }

            yield break;
        }

        await foreach (var id in IdChunk.Strings(ReadCopyAsync(copy, cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            yield return id;
        }
    }

    /// <summary>Every id of <paramref name="query"/> in chunks (one, reused: see <see cref="IChunkedIdSource"/>).</summary>
    public async IAsyncEnumerable<IdChunk> ReadChunksAsync(string query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ids = await BeginAsync(query, cancellationToken).ConfigureAwait(false) is { } copy
            ? ReadCopyAsync(copy, cancellationToken)
            : IdChunk.Of(DataReaderIds.ReadAsync(database, query, cancellationToken), cancellationToken);
        await foreach (var chunk in ids.ConfigureAwait(false))
        {
            yield return chunk;
        }
    }

    /// <summary>The COPY under way on its connection, or null when the data reader reads the query instead (logged).</summary>
    private async Task<Copy?> BeginAsync(string query, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await DescribeAsync(connection, query, cancellationToken).ConfigureAwait(false) is { } column &&
                await TryBeginAsync(connection, query, cancellationToken).ConfigureAwait(false) is { } export)
            {
                return new Copy(connection, export, column);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private sealed record Copy(NpgsqlConnection Connection, NpgsqlRawCopyStream Export, IdColumn Column);

    /// <summary>
    /// The COPY's ids, a chunk at a time; ends the COPY and gives its connection back, however the read ends. The stream
    /// is read on a thread of its own (<see cref="Fill"/>), synchronously, while the caller works through the chunk
    /// before.
    /// </summary>
    private static async IAsyncEnumerable<IdChunk> ReadCopyAsync(Copy copy, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (connection, export, column) = copy;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var filled = Channel.CreateBounded<IdChunk>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var filling = Task.Factory.StartNew(() => Fill(export, column, filled.Writer, stop.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var completed = false;
        try
        {
            await foreach (var chunk in filled.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return chunk;
            }

            await filling.ConfigureAwait(false); // the read's failure, if it failed
            completed = true;
        }
        finally
        {
            if (!completed)
            {
                // Stopped half-way (cancelled, a failure, a consumer that gave up): the filling thread stops, and without a
                // cancel, disposing the stream would read the rest of the result first.
                await stop.CancelAsync().ConfigureAwait(false);
                if (!filling.IsCompletedSuccessfully)
                {
                    await TryCancelAsync(export).ConfigureAwait(false);
                }

                await filling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await SqlIdSource.DisposeQuietlyAsync(export, completed).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the COPY into chunks and hands each over, until the end. Three chunks take turns: one with the reader, one
    /// waiting in <paramref name="filled"/> (which holds one), one being filled; a chunk is filled again only once the
    /// reader has taken the one after it, so it is done with it.
    /// </summary>
    private static void Fill(NpgsqlRawCopyStream export, IdColumn column, ChannelWriter<IdChunk> filled, CancellationToken cancellationToken)
    {
        try
        {
            var rows = new CopyBinaryRows(export);
            var decode = Decoder(column);
            IdChunk[] chunks = [new(), new(), new()];
            for (var next = 0; rows.Read(chunks[next], decode, cancellationToken); next = (next + 1) % chunks.Length)
            {
                while (!filled.TryWrite(chunks[next]))
                {
                    // A thread of its own: waiting here holds no thread the pool needs.
                    if (!filled.WaitToWriteAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            filled.TryComplete();
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
    private async Task<NpgsqlRawCopyStream?> TryBeginAsync(NpgsqlConnection connection, string query, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.BeginRawBinaryCopyAsync(CopyStatement(query), cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            LogMessages.SqlCopyNotUsed(logger, $"the server refused COPY ... TO STDOUT (FORMAT binary) ({e.SqlState}: {e.MessageText})");
            return null;
        }
    }

    /// <summary>How a column's binary value is spelled as an id: as the data reader spells it (NULL as "").</summary>
    private static CopyColumnDecoder Decoder(IdColumn column) => column switch
    {
        IdColumn.Text => Text,
        IdColumn.Int16 => static (value, isNull, into) => Spell(isNull ? null : (short?)BinaryPrimitives.ReadInt16BigEndian(Sized(value, sizeof(short))), into, 6),
        IdColumn.Int32 => static (value, isNull, into) => Spell(isNull ? null : (int?)BinaryPrimitives.ReadInt32BigEndian(Sized(value, sizeof(int))), into, 11),
        IdColumn.Int64 => static (value, isNull, into) => Spell(isNull ? null : (long?)BinaryPrimitives.ReadInt64BigEndian(Sized(value, sizeof(long))), into, 20),
        _ => static (value, isNull, into) => Spell(isNull ? null : (Guid?)new Guid(Sized(value, 16), bigEndian: true), into, 36), // network order
    };

    /// <summary>Text as it is (padding included), from the UTF-8 Npgsql has the server send.</summary>
    private static void Text(ReadOnlySpan<byte> value, bool isNull, IdChunk into)
    {
        if (isNull)
        {
            into.Add("");
        }
        else
        {
            into.AddUtf8(value);
        }
    }

    /// <summary>A number in invariant form, a uuid in its usual lower-case form; NULL as "".</summary>
    private static void Spell<T>(T? value, IdChunk into, int maxChars)
        where T : struct, ISpanFormattable
    {
        if (value is { } known)
        {
            into.AddFormatted(known, maxChars);
        }
        else
        {
            into.Add("");
        }
    }

    private static ReadOnlySpan<byte> Sized(ReadOnlySpan<byte> value, int size) =>
        value.Length == size ? value : throw new InvalidDataException($"A binary COPY value of {size} bytes came with {value.Length}.");

    /// <summary>
    /// Has the server cancel the COPY (a cancel request on a connection of its own), so that disposing the stream does
    /// not read the rest of the result.
    /// </summary>
    private static async ValueTask TryCancelAsync(NpgsqlRawCopyStream export)
    {
        try
        {
            await export.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort: the connection is closed next anyway.
        }
    }
}
