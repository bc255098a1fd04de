using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>What differs between the providers: connecting, passing the cursor, telling a bad query from an outage.</summary>
internal abstract class SqlIdDatabase : IAsyncDisposable, IDisposable
{
    public abstract SqlProvider Provider { get; }

    public static SqlIdDatabase Create(SqlProvider provider, string connectionString, ILogger logger) => provider switch
    {
        SqlProvider.Postgres => new PostgresIdDatabase(connectionString, logger),
        SqlProvider.Sqlite => new SqliteIdDatabase(connectionString),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>
    /// The first column of every row of <paramref name="query"/> (<c>Query</c>), streamed, never held whole: text as it
    /// is, numbers in invariant form, NULL as "". Through a data reader unless the provider has a faster way
    /// (PostgreSQL: a binary COPY; SQLite: its statement API).
    /// </summary>
    public virtual IAsyncEnumerable<string> ReadIdsAsync(string query, CancellationToken cancellationToken) =>
        DataReaderIds.ReadAsync(this, query, cancellationToken);

    /// <summary>The ids of <see cref="ReadIdsAsync"/> in reused chunks (see <see cref="IChunkedIdSource"/>): without a
    /// string per id where the provider's way allows it (PostgreSQL's COPY, SQLite's statement API).</summary>
    public virtual IAsyncEnumerable<IdChunk> ReadIdChunksAsync(string query, CancellationToken cancellationToken) =>
        IdChunk.Of(ReadIdsAsync(query, cancellationToken), cancellationToken);

    /// <summary>An open connection; the caller disposes it (back to the pool).</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Adds <c>@cursor</c>: NULL before the first row was read, else <paramref name="cursor"/> with its type.</summary>
    public abstract void AddCursor(DbCommand command, SqlCursor? cursor);

    public abstract SqlCursor ReadCursor(DbDataReader reader, int ordinal);

    /// <summary>The .NET type and database type name of a result column (read from a query's schema, rows or not).</summary>
    public abstract (Type? Type, string? DataTypeName) ColumnType(DbDataReader reader, int ordinal);

    /// <summary>Which database this is (server, port, database and user; a SQLite file's full path), never a password.</summary>
    public abstract string Identity { get; }

    /// <summary>
    /// True when the database refused the query itself (a syntax error, an unknown table or column, a missing
    /// privilege): a configuration error, not an outage, so retrying will not help.
    /// </summary>
    public abstract bool IsQueryError(Exception exception);

    /// <summary>A short description of a failure for logs and health, without the connection string.</summary>
    public virtual string Describe(Exception exception) => exception switch
    {
        SqlSourceException e => e.Message,
        _ when exception.InnerException is { } inner && exception.Message.Length == 0 => Describe(inner),
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public virtual void Dispose()
    {
    }

    private sealed class PostgresIdDatabase : SqlIdDatabase
    {
        private readonly NpgsqlDataSource _dataSource;
        private readonly PostgresCopyIds _copy;

        public PostgresIdDatabase(string connectionString, ILogger logger)
        {
            _dataSource = NpgsqlDataSource.Create(connectionString);
            _copy = new PostgresCopyIds(_dataSource, this, logger);
            Identity = new NpgsqlConnectionStringBuilder(connectionString) is var b ? $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}" : "";
        }

        public override string Identity { get; }

        public override IAsyncEnumerable<string> ReadIdsAsync(string query, CancellationToken cancellationToken) => _copy.ReadAsync(query, cancellationToken);

        public override IAsyncEnumerable<IdChunk> ReadIdChunksAsync(string query, CancellationToken cancellationToken) => _copy.ReadChunksAsync(query, cancellationToken);

        public override (Type? Type, string? DataTypeName) ColumnType(DbDataReader reader, int ordinal) =>
            (reader.GetFieldType(ordinal), ((NpgsqlDataReader)reader).GetPostgresType(ordinal).Name);

        public override SqlProvider Provider => SqlProvider.Postgres;

        public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
            await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        public override void AddCursor(DbCommand command, SqlCursor? cursor)
        {
            // NULL goes untyped: PostgreSQL infers the parameter's type from the query (see README: a
            // "@cursor IS NULL" alone cannot be inferred, "@cursor::bigint IS NULL" can).
            var parameter = new NpgsqlParameter { ParameterName = "cursor", Value = cursor?.Value ?? DBNull.Value };
            if (cursor?.DataTypeName is { } type)
            {
                parameter.DataTypeName = type;
            }

            command.Parameters.Add(parameter);
        }

        public override SqlCursor ReadCursor(DbDataReader reader, int ordinal) =>
            new(reader.GetValue(ordinal), ((NpgsqlDataReader)reader).GetPostgresType(ordinal).Name);

        // Class 42: syntax error or access rule violation (42601 syntax, 42P01 unknown table, 42703 unknown
        // column, 42501 no privilege, 42P18 a parameter whose type cannot be inferred).
        public override bool IsQueryError(Exception exception) =>
            exception is SqlSourceException ||
            exception is PostgresException { SqlState: { } state } && state.StartsWith("42", StringComparison.Ordinal);

        public override string Describe(Exception exception) => exception switch
        {
            PostgresException e => $"{e.SqlState}: {e.MessageText}",
            NpgsqlException { InnerException: { } inner } e when e.Message.StartsWith("Exception while", StringComparison.Ordinal) =>
                $"{e.Message.TrimEnd('.')}: {inner.Message}",
            _ => base.Describe(exception),
        };

        public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

        public override void Dispose() => _dataSource.Dispose();
    }

    private sealed class SqliteIdDatabase : SqlIdDatabase
    {
        private readonly string _connectionString;

        public SqliteIdDatabase(string connectionString)
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            if (!SqlSourceSettings.Mentions(connectionString, "Mode"))
            {
                // The gateway only reads, and a missing file must be an outage (retried), not a new empty
                // database the filter would be built from.
                builder.Mode = SqliteOpenMode.ReadOnly;
            }

            _connectionString = builder.ToString();
            Identity = "sqlite:" + (builder.DataSource is { Length: > 0 } file && !file.Equals(":memory:", StringComparison.Ordinal) ? Path.GetFullPath(file) : builder.DataSource);
        }

        public override SqlProvider Provider => SqlProvider.Sqlite;

        public override IAsyncEnumerable<string> ReadIdsAsync(string query, CancellationToken cancellationToken) =>
            IdChunk.Strings(ReadIdChunksAsync(query, cancellationToken), cancellationToken);

        public override IAsyncEnumerable<IdChunk> ReadIdChunksAsync(string query, CancellationToken cancellationToken) =>
            SqliteStatementIds.ReadAsync(this, query, cancellationToken);

        public override string Identity { get; }

        // A column's declared type when the query names one (no row needed), else what its first value holds.
        public override (Type? Type, string? DataTypeName) ColumnType(DbDataReader reader, int ordinal)
        {
            try
            {
                return (reader.GetFieldType(ordinal), null);
            }
            catch (InvalidOperationException)
            {
                return (null, null);
            }
        }

        public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(_connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public override void AddCursor(DbCommand command, SqlCursor? cursor) =>
            ((SqliteCommand)command).Parameters.AddWithValue("@cursor", cursor?.Value ?? DBNull.Value);

        public override SqlCursor ReadCursor(DbDataReader reader, int ordinal) => new(reader.GetValue(ordinal), null);

        // SQLITE_ERROR (1) is what a syntax error, an unknown table or column gives; a missing or locked file
        // gives another code (SQLITE_CANTOPEN, SQLITE_BUSY) and is retried.
        public override bool IsQueryError(Exception exception) =>
            exception is SqlSourceException || exception is SqliteException { SqliteErrorCode: 1 };

        public override string Describe(Exception exception) => exception switch
        {
            SqliteException e => e.Message,
            _ => base.Describe(exception),
        };
    }
}

/// <summary>A query that ran but returned something the source cannot use (too few columns, a NULL cursor).</summary>
public sealed class SqlSourceException(string message) : Exception(message);
