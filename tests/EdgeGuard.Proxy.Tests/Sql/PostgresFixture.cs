namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// One PostgreSQL server for the SQL tests (they run one after another in the <see cref="PostgresCollection"/>),
/// with a read-only role as the README recommends and a template catalog of <see cref="SeededRows"/> products.
/// Each test takes a database of its own, cloned from the template, so tests never see each other's rows.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const int SeededRows = 100_000;

    /// <summary>The role the gateway reads with: LOGIN, SELECT on products, nothing else.</summary>
    public const string ReaderRole = "edgeguard_reader";

    private const string Template = "catalog_template";

    private int _databases;

    public PostgresServer Server { get; private set; } = null!;

    /// <summary>The seeded ids, in <c>seq</c> order (<c>seq</c> = index + 1).</summary>
    public static string SeededId(int index) => "SKU-" + (index + 1).ToString("D6", CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        await Server.ExecuteAsync($"CREATE ROLE {ReaderRole} LOGIN");
        await Server.ExecuteAsync($"CREATE DATABASE {Template}"); // on its own: not in a transaction
        await Server.ExecuteAsync(
            $"""
             CREATE TABLE products (
                 sku   text PRIMARY KEY,
                 seq   bigserial NOT NULL,
                 name  text NOT NULL,
                 price numeric(10, 2) NOT NULL
             );
             INSERT INTO products (sku, name, price)
             SELECT 'SKU-' || lpad(g::text, 6, '0'), 'Product ' || g, (g % 1000) + 0.99
             FROM generate_series(1, {SeededRows}) AS g
             ORDER BY g;
             CREATE UNIQUE INDEX products_seq ON products (seq);
             GRANT SELECT ON products TO {ReaderRole};
             """, Template);
        await Server.ExecuteAsync("VACUUM ANALYZE products", Template);
    }

    /// <summary>A new database holding the seeded catalog; returns its name.</summary>
    public async Task<string> CreateCatalogAsync()
    {
        var name = "catalog_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        await Server.ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {Template}");
        return name;
    }

    /// <summary>The gateway's connection string for <paramref name="database"/> (the read-only role, over TCP).</summary>
    public string ReaderConnectionString(string database) => Server.ConnectionString(database, ReaderRole);

    /// <summary>Inserts products <paramref name="skus"/> (as the catalog would) and returns once committed.</summary>
    public Task InsertAsync(string database, IEnumerable<string> skus, bool overSocket = false) =>
        Server.ExecuteAsync(
            "INSERT INTO products (sku, name, price) VALUES " +
            string.Join(", ", skus.Select(sku => $"('{sku}', 'New {sku}', 9.99)")),
            database, overSocket);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The tests that share <see cref="PostgresFixture"/>'s server; run one after another (one stops it mid-test).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
