using System.Data;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace CatalogBackend;

/// <summary>
/// The catalog's SQLite access: plain ADO.NET, parameterized statements only, a pooled connection per
/// operation. Every statement run for a request is counted in <see cref="CatalogMetrics"/>; start-up work
/// (schema, seeding) runs on <see cref="OpenMaintenanceConnection"/> and is not.
/// </summary>
public sealed class CatalogStore
{
    /// <summary>How long a statement waits for a lock held by another connection before failing.</summary>
    public const int BusyTimeoutMilliseconds = 10_000;

    private const int FlushThresholdBytes = 32 * 1024;

    private readonly CatalogMetrics _metrics;
    private readonly string _connectionString;
    private readonly string _maintenanceConnectionString;

    public CatalogStore(CatalogOptions options, CatalogMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        DatabasePath = options.DatabasePath;
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite also retries busy statements until the command timeout (seconds).
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        };
        _connectionString = builder.ToString();
        // Unpooled, so that start-up pragmas (synchronous, cache size) never leak into request connections.
        builder.Pooling = false;
        _maintenanceConnectionString = builder.ToString();
    }

    public string DatabasePath { get; }

    /// <summary>Creates the database file, switches it to WAL (persistent) and creates the schema if needed.</summary>
    public void EnsureSchema()
    {
        try
        {
            var directory = Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            using var connection = OpenMaintenanceConnection();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL;";
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode (journal_mode is '{mode}').");
            }

            // price is TEXT: the exact decimal as written, never a binary float. revision starts at 1 and
            // grows with every PUT, which tells an upsert that created from one that replaced.
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS products (
                    id       TEXT    NOT NULL PRIMARY KEY,
                    name     TEXT    NOT NULL,
                    price    TEXT    NOT NULL,
                    revision INTEGER NOT NULL DEFAULT 1
                ) WITHOUT ROWID;
                """;
            command.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Cannot open the catalog database '{DatabasePath}' ({CatalogOptions.DatabaseKey}): {ex.Message}", ex);
        }
    }

    /// <summary>An unpooled, uncounted connection for start-up work such as seeding.</summary>
    public SqliteConnection OpenMaintenanceConnection() => Open(_maintenanceConnectionString);

    public async Task<Product?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = Open(_connectionString);
        await using var command = Prepare(connection, "SELECT id, name, price FROM products WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        _metrics.CountDbQuery();
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadProduct(reader) : null;
    }

    /// <summary>Inserts a new product; false when the id exists (nothing is changed then).</summary>
    public async Task<bool> TryInsertAsync(Product product, CancellationToken cancellationToken)
    {
        await using var connection = Open(_connectionString);
        await using var command = Prepare(connection,
            "INSERT INTO products (id, name, price) VALUES ($id, $name, $price) ON CONFLICT (id) DO NOTHING;");
        AddProductParameters(command, product);
        _metrics.CountDbQuery();
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Creates or replaces a product in one statement; true when it was created.</summary>
    public async Task<bool> UpsertAsync(Product product, CancellationToken cancellationToken)
    {
        await using var connection = Open(_connectionString);
        await using var command = Prepare(connection, """
            INSERT INTO products (id, name, price) VALUES ($id, $name, $price)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, price = excluded.price, revision = revision + 1
            RETURNING revision;
            """);
        AddProductParameters(command, product);
        _metrics.CountDbQuery();
        var revision = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return revision == 1;
    }

    /// <summary>Deletes a product; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = Open(_connectionString);
        await using var command = Prepare(connection, "DELETE FROM products WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        _metrics.CountDbQuery();
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Writes every id, one per line in id order, straight from the reader to <paramref name="output"/>,
    /// flushing every few KiB: memory stays constant however many products there are, and the flush
    /// waits whenever the client reads slower than the database. Returns how many ids were written.
    /// </summary>
    public async Task<long> WriteIdsAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        await using var connection = Open(_connectionString);
        await using var command = Prepare(connection, "SELECT id FROM products ORDER BY id;");
        _metrics.CountDbQuery();
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        long count = 0;
        var unflushed = 0;
        while (reader.Read())
        {
            unflushed += WriteLine(output, reader.GetString(0));
            count++;
            if (unflushed >= FlushThresholdBytes)
            {
                unflushed = 0;
                var flush = await output.FlushAsync(cancellationToken);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return count;
                }
            }
        }

        await output.FlushAsync(cancellationToken);
        return count;
    }

    private static int WriteLine(PipeWriter output, string id)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(id.Length) + 1);
        var length = Encoding.UTF8.GetBytes(id, span);
        span[length++] = (byte)'\n';
        output.Advance(length);
        return length;
    }

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            ConfigureOnce(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Per-connection settings, applied once per physical connection (pooled connections keep theirs), so
    /// they cost no statement per request: the native busy handler (a C call, waits for a competing writer's
    /// lock with short sleeps instead of failing with "database is locked") and synchronous = NORMAL, which
    /// in WAL mode syncs at checkpoints rather than on every commit (an OS crash may lose the last commits,
    /// never corrupt the database; an application crash loses nothing).
    /// </summary>
    private static void ConfigureOnce(SqliteConnection connection)
    {
        var handle = connection.Handle!;
        if (ConfiguredHandles.TryGetValue(handle, out _))
        {
            return;
        }

        SQLitePCL.raw.sqlite3_busy_timeout(handle, BusyTimeoutMilliseconds);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA synchronous = NORMAL;";
            command.ExecuteNonQuery();
        }

        ConfiguredHandles.TryAdd(handle, ConfiguredMarker);
    }

    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> ConfiguredHandles = new();
    private static readonly object ConfiguredMarker = new();

    private static SqliteCommand Prepare(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Prepare();
        return command;
    }

    private static void AddProductParameters(SqliteCommand command, Product product)
    {
        command.Parameters.AddWithValue("$id", product.Id);
        command.Parameters.AddWithValue("$name", product.Name);
        command.Parameters.AddWithValue("$price", FormatPrice(product.Price));
    }

    internal static string FormatPrice(decimal price) => price.ToString(CultureInfo.InvariantCulture);

    private static Product ReadProduct(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        decimal.Parse(reader.GetString(2), NumberStyles.Number, CultureInfo.InvariantCulture));
}
