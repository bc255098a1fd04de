using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeGuard.Proxy.Configuration;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>
/// Product ids read from the catalog's own database (a read replica): <c>EdgeGuard:Bloom:Sql:Query</c> streamed row by
/// row at start-up and at each rebuild, never held in a list, by the provider's fastest way (PostgreSQL: a binary COPY;
/// SQLite: its statement API; see <see cref="SqlIdDatabase.ReadIdsAsync"/>). With an <c>IncrementalQuery</c> the source
/// is an <see cref="IncrementalSqlIdSource"/> and also learns new rows (through ADO.NET's data reader).
/// </summary>
public class SqlIdSource : IChunkedIdSource, IAsyncDisposable, IDisposable
{
    private readonly string _query;

    private protected SqlIdSource(SqlSourceOptions options, SqlIdDatabase database)
    {
        Options = options;
        Database = database;
        _query = TrimStatement(options.Query ?? throw new ArgumentException("EdgeGuard:Bloom:Sql:Query is required.", nameof(options)));
    }

    /// <summary>A source for validated <paramref name="options"/>: incremental when they have an <c>IncrementalQuery</c>.</summary>
    /// <param name="options">The validated settings.</param>
    /// <param name="logger">Where the full read says how it read (a COPY the server refused); none when null.</param>
    public static SqlIdSource Create(SqlSourceOptions options, ILogger? logger = null)
    {
        if (!SqlSourceSettings.TryParseProvider(options.Provider, out var provider))
        {
            throw new ConfigurationErrorException($"{SqlSourceOptions.SectionPath}:Provider '{options.Provider}' is not supported: use postgres or sqlite.");
        }

        var database = SqlIdDatabase.Create(provider, options.ConnectionString ?? "", logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return string.IsNullOrWhiteSpace(options.IncrementalQuery)
            ? new SqlIdSource(options, database)
            : new IncrementalSqlIdSource(options, database);
    }

    public string Name => "sql";

    /// <summary>The database (never its password) and a digest of the queries: other queries are other sources.</summary>
    public virtual string Identity => $"{Database.Identity} query {Digest(_query)}";

    /// <summary>The query reads a primary key: each id once (documented as a requirement of <c>Query</c>).</summary>
    public bool YieldsDistinctIds => true;

    public SqlProvider Provider => Database.Provider;

    /// <summary>A failure of this source in a few words, for logs and health (never the connection string).</summary>
    public string Describe(Exception exception) => Database.Describe(exception);

    private protected SqlSourceOptions Options { get; }

    private protected SqlIdDatabase Database { get; }

    /// <summary>Every id <c>Query</c> returns, streamed by the provider's fastest way (see <see cref="SqlIdDatabase.ReadIdsAsync"/>).</summary>
    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => Database.ReadIdsAsync(_query, cancellationToken);

    public IAsyncEnumerable<IdChunk> ReadChunksAsync(CancellationToken cancellationToken) => Database.ReadIdChunksAsync(_query, cancellationToken);

    /// <summary>
    /// Runs each configured query once against the database, inside a read-only transaction that is rolled back
    /// and with <c>LIMIT 0</c> (the database parses and plans it, reads nothing), and checks its columns.
    /// </summary>
    /// <exception cref="ConfigurationErrorException">The database refused a query; the message names the setting.</exception>
    /// <exception cref="Exception">Any other failure: the database could not be reached (not a configuration error).</exception>
    public async Task CheckQueriesAsync(CancellationToken cancellationToken)
    {
        var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await CheckQueryAsync(connection, "Query", _query, columns: 1, withCursor: false, cancellationToken).ConfigureAwait(false);
            await CheckMoreAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Further checks of a subclass's own queries, on the same connection.</summary>
    private protected virtual Task CheckMoreAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether <c>Query</c> returns at least one row (inside a read-only transaction that is rolled back).</summary>
    private protected Task<bool> QueryHasRowsAsync(DbConnection connection, CancellationToken cancellationToken) =>
        InReadOnlyTransactionAsync(connection, async transaction =>
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.Transaction = transaction;
                command.CommandText = Limited(_query, 1);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in a transaction that is read-only (PostgreSQL) and always rolled back.</summary>
    private protected async Task<T> InReadOnlyTransactionAsync<T>(DbConnection connection, Func<DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            if (Database.Provider == SqlProvider.Postgres)
            {
                await ExecuteAsync(connection, transaction, "SET TRANSACTION READ ONLY", cancellationToken).ConfigureAwait(false);
            }

            var result = await work(transaction).ConfigureAwait(false);
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    /// <summary>A short digest of a query's text (its identity in snapshots, without repeating it).</summary>
    private protected static string Digest(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    private protected async Task CheckQueryAsync(DbConnection connection, string setting, string query, int columns, bool withCursor, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            if (Database.Provider == SqlProvider.Postgres)
            {
                await ExecuteAsync(connection, transaction, "SET TRANSACTION READ ONLY", cancellationToken).ConfigureAwait(false);
            }

            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.Transaction = transaction;
                command.CommandText = Limited(query, 0);
                if (withCursor)
                {
                    Database.AddCursor(command, cursor: null);
                }

                int fields;
                try
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        fields = reader.FieldCount;
                    }
                }
                catch (Exception e) when (Database.IsQueryError(e))
                {
                    throw new ConfigurationErrorException(
                        $"{SqlSourceOptions.SectionPath}:{setting} does not run on the {SqlSourceSettings.Describe(Database.Provider)} database: {Database.Describe(e)}" +
                        (withCursor ? " (@cursor is NULL on the first poll; if its type cannot be inferred, cast it, e.g. @cursor::bigint IS NULL)" : ""));
                }

                if (fields < columns)
                {
                    throw new ConfigurationErrorException(columns == 1
                        ? $"{SqlSourceOptions.SectionPath}:{setting} returns no column; it must return one column of ids."
                        : $"{SqlSourceOptions.SectionPath}:{setting} returns {fields} column(s); it must return two: (id, cursor).");
                }
            }

            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <paramref name="query"/> cut at <paramref name="limit"/> rows. As a subquery, so the user's query stays as
    /// written (its own ORDER BY, WHERE, even a trailing comment: the closing parenthesis is on a line of its own).
    /// </summary>
    private protected static string Limited(string query, int limit) =>
        $"SELECT * FROM (\n{query}\n) AS edgeguard_ids LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The id in <paramref name="reader"/>'s first column: text as it is, anything else (a numeric key) in invariant form, NULL as "" (invalid, skipped and counted).</summary>
    internal static Func<DbDataReader, string> IdReader(DbDataReader reader) =>
        reader.GetFieldType(0) == typeof(string)
            ? r => r.IsDBNull(0) ? "" : r.GetString(0)
            : r => r.IsDBNull(0) ? "" : Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture) ?? "";

    internal static void TryCancel(DbCommand command)
    {
        try
        {
            command.Cancel();
        }
        catch (Exception)
        {
            // Best effort: the connection is closed next anyway.
        }
    }

    /// <summary>
    /// Disposes a result being read (a data reader, a COPY export). One that stopped half-way may throw the error of
    /// its cancelled query while disposing: that error is dropped, one that completed throws as usual.
    /// </summary>
    internal static async ValueTask DisposeQuietlyAsync(IAsyncDisposable result, bool completed)
    {
        if (completed)
        {
            await result.DisposeAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            await result.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The cancelled query's own error; the reason it stopped is already on its way to the caller.
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A query as configured, without the trailing semicolons a subquery cannot have.</summary>
    private protected static string TrimStatement(string query) => query.Trim().TrimEnd(';', ' ', '\t', '\r', '\n');

    /// <summary>Closes the provider's connection pool.</summary>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Database.DisposeAsync();
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        Database.Dispose();
    }
}
