using Microsoft.Data.Sqlite;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// A catalog in a SQLite file (WAL mode, as the project's own catalog runs), seeded once with
/// <see cref="PostgresFixture.SeededRows"/> products and copied for each test, so tests never see each other's rows.
/// </summary>
public sealed class SqliteCatalogFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgeguard-sqlite-").FullName;
    private int _copies;

    private string Template => Path.Combine(_directory, "template.db");

    public Task InitializeAsync()
    {
        using var connection = Open(Template);
        Execute(connection, "PRAGMA journal_mode = WAL");
        Execute(connection, """
            CREATE TABLE products (
                seq   INTEGER PRIMARY KEY AUTOINCREMENT,
                sku   TEXT NOT NULL UNIQUE,
                name  TEXT NOT NULL,
                price TEXT NOT NULL
            )
            """);
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO products (sku, name, price) VALUES ($sku, $name, '12.50')";
        var sku = insert.Parameters.Add("$sku", SqliteType.Text);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        for (var i = 0; i < PostgresFixture.SeededRows; i++)
        {
            sku.Value = PostgresFixture.SeededId(i);
            name.Value = "Product " + i;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        return Task.CompletedTask;
    }

    /// <summary>A new copy of the seeded catalog; returns its path.</summary>
    public string CreateCatalog()
    {
        var path = Path.Combine(_directory, $"catalog-{Interlocked.Increment(ref _copies)}.db");
        File.Copy(Template, path);
        return path;
    }

    /// <summary>Inserts products as the catalog would (a connection of its own, committed on return).</summary>
    public static void Insert(string path, params string[] skus)
    {
        using var connection = Open(path);
        foreach (var sku in skus)
        {
            Execute(connection, $"INSERT INTO products (sku, name, price) VALUES ('{sku}', 'New', '9.99')");
        }
    }

    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public Task DisposeAsync()
    {
        // Not SqliteConnection.ClearAllPools(): it clears every pool in the process, including connections that tests
        // running beside these are using. Files still held open by a pooled connection are deleted all the same on Linux.
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
