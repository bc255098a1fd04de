using System.Diagnostics;
using System.Globalization;
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
/// line (as a prepared multi-row insert of 128 rows). "Insert or ignore" makes it idempotent: restarting adds nothing twice and never overwrites a
/// product changed or created through the API. Ids-only lines get <see cref="DefaultName"/> and
/// <see cref="DefaultPrice"/>.
/// </summary>
public sealed class CatalogSeeder(CatalogStore store, ILogger<CatalogSeeder> logger)
{
    /// <summary>Rows per execution of the prepared multi-row insert (3 parameters each).</summary>
    private const int BatchRows = 128;

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
            using var batch = new InsertCommand(connection, transaction, BatchRows);
            using var single = new InsertCommand(connection, transaction, 1);
            var pending = 0;
            foreach (var line in ProductsFile.Read(productsFile, ProductIdRule.Default, report))
            {
                batch.Set(pending++, line);
                if (pending == BatchRows)
                {
                    inserted += batch.Execute();
                    pending = 0;
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            // The last partial batch, row by row (its rows are still in the batch's parameters).
            for (var row = 0; row < pending; row++)
            {
                single.CopyRow(batch, row);
                inserted += single.Execute();
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

    /// <summary>A prepared <c>INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING</c> for a fixed number of rows.</summary>
    private sealed class InsertCommand : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter[] _ids, _names, _prices;

        public InsertCommand(SqliteConnection connection, SqliteTransaction transaction, int rows)
        {
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _ids = new SqliteParameter[rows];
            _names = new SqliteParameter[rows];
            _prices = new SqliteParameter[rows];
            var sql = new StringBuilder("INSERT INTO products (id, name, price) VALUES ");
            for (var row = 0; row < rows; row++)
            {
                sql.Append(row == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"($i{row}, $n{row}, $p{row})");
                _ids[row] = _command.Parameters.Add($"$i{row}", SqliteType.Text);
                _names[row] = _command.Parameters.Add($"$n{row}", SqliteType.Text);
                _prices[row] = _command.Parameters.Add($"$p{row}", SqliteType.Text);
            }

            // Built from parameter names only: the values are always bound, never spliced in.
            _command.CommandText = sql.Append(" ON CONFLICT (id) DO NOTHING;").ToString();
            _command.Prepare();
        }

        public void Set(int row, ProductLine line)
        {
            _ids[row].Value = line.Id;
            _names[row].Value = line.Name ?? DefaultName(line.Id);
            _prices[row].Value = CatalogStore.FormatPrice(line.Price ?? DefaultPrice(line.Id));
        }

        public void CopyRow(InsertCommand from, int row)
        {
            _ids[0].Value = from._ids[row].Value;
            _names[0].Value = from._names[row].Value;
            _prices[0].Value = from._prices[row].Value;
        }

        public int Execute() => _command.ExecuteNonQuery();

        public void Dispose() => _command.Dispose();
    }
}
