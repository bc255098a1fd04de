using System.Diagnostics;
using System.Text;
using EdgeGuard.Filter;
using Microsoft.Data.Sqlite;

namespace CatalogBackend;

/// <summary>What one seeding run did.</summary>
public sealed record SeedResult(string ProductsFile, bool FileFound, ProductsFileReport Report, long Inserted, TimeSpan Elapsed)
{
    public override string ToString() => FileFound
        ? $"seeded from {ProductsFile}: {Report}; {Inserted} new products in {Elapsed.TotalMilliseconds:F0} ms"
        : $"no products file at {ProductsFile}; the catalog keeps what its database holds";
}

/// <summary>
/// Loads <c>products.txt</c> into the database: one transaction, one prepared insert reused for every
/// line. "Insert or ignore" makes it idempotent: restarting adds nothing twice and never overwrites a
/// product changed or created through the API. Ids-only lines get <see cref="DefaultName"/> and
/// <see cref="DefaultPrice"/>.
/// </summary>
public sealed class CatalogSeeder(CatalogStore store, ILogger<CatalogSeeder> logger)
{
    private const int CancellationCheckInterval = 4096;

    public SeedResult Seed(string productsFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(productsFile);
        var report = new ProductsFileReport();
        if (!File.Exists(productsFile))
        {
            var missing = new SeedResult(productsFile, false, report, 0, TimeSpan.Zero);
            logger.LogWarning("Seeding skipped: {Result}", missing);
            return missing;
        }

        var stopwatch = Stopwatch.StartNew();
        long inserted = 0;
        using (var connection = store.OpenMaintenanceConnection())
        {
            using (var pragmas = connection.CreateCommand())
            {
                // This connection only: WAL makes NORMAL safe, and a bigger cache keeps the id index in memory.
                pragmas.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072;";
                pragmas.ExecuteNonQuery();
            }

            using var transaction = connection.BeginTransaction();
            // A single-row statement, prepared once and re-bound per line: a multi-row insert binds hundreds of
            // parameters per statement, which costs more than the rows it saves.
            using var insert = new InsertCommand(connection, transaction);
            foreach (var line in ProductsFile.Read(productsFile, ProductIdRule.Default, report))
            {
                inserted += insert.Execute(line);
                if (report.Products % CancellationCheckInterval == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            transaction.Commit();
        }

        var result = new SeedResult(productsFile, true, report, inserted, stopwatch.Elapsed);
        if (report.Invalid > 0)
        {
            logger.LogWarning("Seeding skipped invalid lines: {Result}", result);
        }
        else
        {
            logger.LogInformation("Seeding done: {Result}", result);
        }

        return result;
    }

    /// <summary>The name an ids-only line gets.</summary>
    public static string DefaultName(string id) => $"Product {id}";

    /// <summary>The price an ids-only line gets: 1.00 to 999.99, the same for an id on every run and machine.</summary>
    public static decimal DefaultPrice(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        // FNV-1a over the UTF-8 bytes: stable across processes, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        Span<byte> buffer = stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes(id.AsSpan(0, Math.Min(id.Length, 64)), buffer);
        foreach (var b in buffer[..length])
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (100 + (long)(hash % 99_900)) / 100m;
    }

    /// <summary>The seeding insert: prepared once, parameters re-bound for every line.</summary>
    private sealed class InsertCommand : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _id, _name, _price;

        public InsertCommand(SqliteConnection connection, SqliteTransaction transaction)
        {
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = "INSERT INTO products (id, name, price) VALUES ($id, $name, $price) ON CONFLICT (id) DO NOTHING;";
            _id = _command.Parameters.Add("$id", SqliteType.Text);
            _name = _command.Parameters.Add("$name", SqliteType.Text);
            _price = _command.Parameters.Add("$price", SqliteType.Text);
            _command.Prepare();
        }

        /// <summary>Inserts the line's product unless its id exists; 1 when inserted.</summary>
        public int Execute(ProductLine line)
        {
            _id.Value = line.Id;
            _name.Value = line.Name ?? DefaultName(line.Id);
            _price.Value = CatalogStore.FormatPrice(line.Price ?? DefaultPrice(line.Id));
            return _command.ExecuteNonQuery();
        }

        public void Dispose() => _command.Dispose();
    }
}
