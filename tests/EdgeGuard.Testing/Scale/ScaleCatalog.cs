using System.Diagnostics;
using System.Globalization;
using EdgeGuard.Testing.Postgres;
using Npgsql;

namespace EdgeGuard.Testing.Scale;

/// <summary>
/// A catalog of N product ids in a throwaway PostgreSQL of its own, for the scale runs (bench/scale at up to 50M ids,
/// CI at 1M): <c>products (sku text PRIMARY KEY, seq bigint UNIQUE, name text)</c>, row r (1 to N) being
/// <see cref="Id"/>(r) with seq r. The table is unlogged (a bench's data, not a database's: filled several times
/// faster, read the same); the server, its data and the table go on dispose.
/// </summary>
public sealed class ScaleCatalog : IAsyncDisposable
{
    /// <summary>The full read, as the gateway is configured with it.</summary>
    public const string Query = "SELECT sku FROM products";

    /// <summary>The incremental read: new rows after the cursor, in cursor order.</summary>
    public const string IncrementalQuery = "SELECT sku, seq FROM products WHERE (@cursor::bigint IS NULL OR seq > @cursor) ORDER BY seq";

    private ScaleCatalog(PostgresServer server, long ids)
    {
        Server = server;
        Ids = ids;
    }

    public PostgresServer Server { get; }

    /// <summary>Rows in the table.</summary>
    public long Ids { get; }

    /// <summary>How long filling the table and building its indexes took (not part of any measurement).</summary>
    public TimeSpan FillTime { get; private set; }

    /// <summary>The table with its indexes, on disk.</summary>
    public long TableBytes { get; private set; }

    /// <summary>A superuser's connection string for the gateway (over TCP, pooled).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Server.Port};Username=postgres;Database=postgres";

    /// <summary>The id of row <paramref name="row"/> (1 to N): "SKU-" and the row in ten digits.</summary>
    public static string Id(long row) => "SKU-" + row.ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>As <see cref="Id"/>, spelled into <paramref name="buffer"/> (at least 14 characters) without allocating.</summary>
    public static ReadOnlySpan<char> Id(long row, Span<char> buffer)
    {
        "SKU-".CopyTo(buffer);
        row.TryFormat(buffer[4..], out var written, "D10", CultureInfo.InvariantCulture);
        return buffer[..(4 + written)];
    }

    /// <summary>An id the catalog does not hold (for the false-positive share).</summary>
    public static ReadOnlySpan<char> AbsentId(long index, Span<char> buffer)
    {
        "NONE-".CopyTo(buffer);
        index.TryFormat(buffer[5..], out var written, "D10", CultureInfo.InvariantCulture);
        return buffer[..(5 + written)];
    }

    /// <summary>Starts a server and fills its table with <paramref name="ids"/> rows.</summary>
    public static async Task<ScaleCatalog> CreateAsync(long ids)
    {
        var server = await PostgresServer.StartAsync(new Dictionary<string, string>
        {
            ["fsync"] = "off",
            ["full_page_writes"] = "off",
            ["synchronous_commit"] = "off",
            ["shared_buffers"] = "256MB",
            ["maintenance_work_mem"] = "1GB",
            ["max_wal_size"] = "4GB",
            ["max_connections"] = "60",
        });
        var catalog = new ScaleCatalog(server, ids);
        try
        {
            await catalog.FillAsync();
            return catalog;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task FillAsync()
    {
        var started = Stopwatch.StartNew();
        await ExecuteAsync($"""
            CREATE UNLOGGED TABLE products (sku text NOT NULL, seq bigint NOT NULL, name text NOT NULL);
            INSERT INTO products (sku, seq, name)
                SELECT 'SKU-' || lpad(g::text, 10, '0'), g, 'Product ' || g FROM generate_series(1, {Ids.ToString(CultureInfo.InvariantCulture)}) AS g;
            ALTER TABLE products ADD PRIMARY KEY (sku);
            CREATE UNIQUE INDEX products_seq ON products (seq);
            """);
        await ExecuteAsync("VACUUM ANALYZE products");
        FillTime = started.Elapsed;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var size = new NpgsqlCommand("SELECT pg_total_relation_size('products')", connection);
        TableBytes = (long)(await size.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
