// Ids from the catalog's database: how fast the gateway's SqlIdSource streams a products table into a Bloom
// filter, what that costs in memory (streamed: nothing grows with the row count but the filter), and what one
// incremental poll costs (nothing new, 1,000 new rows, and the first poll that reads the whole table).
//
//   dotnet run -c Release --project bench/SqlIds -- --rows 1000000
//   dotnet run -c Release --project bench/SqlIds -- --rows 10000000
//   ... -- --rows N --connection "Host=...;Username=...;Database=..."   (an existing server; creates table edgeguard_bench_N)
//
// Run one row count per process: the peak working set is the process's own.

using System.Diagnostics;
using System.Globalization;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Sources.Sql;
using EdgeGuard.Testing.Postgres;
using Npgsql;
using SqlIds;

var rows = 1_000_000L;
string? connection = null;
var loads = 3;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows":
            rows = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--connection":
            connection = args[++i];
            break;
        case "--loads":
            loads = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; use --rows N [--connection CS] [--loads K]");
            return 1;
    }
}

const int PageSize = EdgeGuard.Proxy.Filtering.IncrementalIdPoller.DefaultMaxIdsPerRead;
Console.WriteLine($"# SqlIds bench: {rows:N0} rows, {Environment.ProcessorCount} cores, .NET {Environment.Version}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"# load average at start: {LoadAverage()}");

// A server tuned like a small read replica, not for durability (fsync off: a bench, not a database).
await using var server = connection is null
    ? await PostgresServer.StartAsync(new Dictionary<string, string>
    {
        ["fsync"] = "off",
        ["full_page_writes"] = "off",
        ["shared_buffers"] = "512MB",
        ["maintenance_work_mem"] = "512MB",
        ["max_wal_size"] = "4GB",
    })
    : null;
var cs = connection ?? $"Host=127.0.0.1;Port={server!.Port};Username=postgres;Database=postgres";
var table = $"edgeguard_bench_{rows}";

var setup = Stopwatch.StartNew();
await ExecuteAsync(cs, $"DROP TABLE IF EXISTS {table}");
await ExecuteAsync(cs, $"""
    CREATE TABLE {table} (sku text PRIMARY KEY, seq bigserial NOT NULL, name text NOT NULL);
    INSERT INTO {table} (sku, name) SELECT 'SKU-' || lpad(g::text, 9, '0'), 'Product ' || g FROM generate_series(1, {rows}) AS g ORDER BY g;
    CREATE UNIQUE INDEX ON {table} (seq);
    """);
await ExecuteAsync(cs, $"VACUUM ANALYZE {table}");
Console.WriteLine($"# table {table} ready in {setup.Elapsed.TotalSeconds:F1} s (not measured below)");

var options = new SqlSourceOptions
{
    Provider = "postgres",
    ConnectionString = cs,
    Query = $"SELECT sku FROM {table}",
    IncrementalQuery = $"SELECT sku, seq FROM {table} WHERE (@cursor::bigint IS NULL OR seq > @cursor) ORDER BY seq",
};

// 1. Full loads: ids/s, and memory while loading. One load first to warm up (tiered JIT), not counted; before
// each load a full GC, so "growth" is what that load itself holds at its peak: the filter plus the garbage the
// GC has not collected yet (bounded by its gen0 budget), not the rows.
await LoadAsync(options, rows, sampler: null);
var results = new List<LoadResult>();
for (var run = 0; run < loads; run++)
{
    var result = await LoadAsync(options, rows, new MemorySampler());
    results.Add(result);
    Console.WriteLine($"load {run + 1}: {result.Seconds * 1000:F0} ms, {rows / result.Seconds:N0} ids/s, allocated {result.Allocated / (double)rows:F0} B/id, " +
                      $"heap {Mb(result.HeapBefore)} -> peak {Mb(result.HeapPeak)}, working set {Mb(result.WorkingSetBefore)} -> peak {Mb(result.WorkingSetPeak)}, " +
                      $"filter {Mb(result.FilterBytes)}, GCs gen0 {result.Gen0} gen2 {result.Gen2}");
}

var median = results.OrderBy(r => r.Seconds).ElementAt(results.Count / 2);
Console.WriteLine();
Console.WriteLine($"| rows | full load (median of {loads}) | ids/s | allocated per id | filter (n = rows, p = 1 %) | managed heap growth at peak | working set growth at peak | process peak working set |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
Console.WriteLine($"| {rows:N0} | {median.Seconds * 1000:F0} ms | {rows / median.Seconds:N0} | {median.Allocated / (double)rows:F0} B | {Mb(median.FilterBytes)} | " +
                  $"{Mb(results.Max(r => r.HeapPeak - r.HeapBefore))} | {Mb(results.Max(r => r.WorkingSetPeak - r.WorkingSetBefore))} | {Mb(Process.GetCurrentProcess().PeakWorkingSet64)} |");

// 2. Polls: the first one reads the whole table from a NULL cursor, page by page.
await using var incremental = (IncrementalSqlIdSource)SqlIdSource.Create(options);
var pollFilter = new BloomFilter(rows + 100_000, 0.01);
var first = Stopwatch.StartNew();
var (firstIds, pages) = await CatchUpAsync(incremental, pollFilter);
first.Stop();
Console.WriteLine();
Console.WriteLine($"first poll (cursor NULL, pages of {PageSize:N0}): {firstIds:N0} ids in {pages} pages, {first.Elapsed.TotalMilliseconds:F0} ms, {firstIds / first.Elapsed.TotalSeconds:N0} ids/s");

// Steady state, nothing new: one query that returns no row.
var empty = new List<double>();
for (var i = 0; i < 200; i++)
{
    var stopwatch = Stopwatch.StartNew();
    var (ids, _) = await CatchUpAsync(incremental, pollFilter);
    empty.Add(stopwatch.Elapsed.TotalMilliseconds);
    if (ids != 0)
    {
        throw new InvalidOperationException("new rows appeared");
    }
}

// Steady state, 1,000 new rows since the last poll (inserted between polls, not timed).
var thousand = new List<double>();
for (var i = 0; i < 20; i++)
{
    await ExecuteAsync(cs, $"INSERT INTO {table} (sku, name) SELECT 'NEW-{i}-' || g, 'New' FROM generate_series(1, 1000) AS g");
    var stopwatch = Stopwatch.StartNew();
    var (ids, _) = await CatchUpAsync(incremental, pollFilter);
    thousand.Add(stopwatch.Elapsed.TotalMilliseconds);
    if (ids != 1000)
    {
        throw new InvalidOperationException($"polled {ids} new ids, expected 1000");
    }
}

Console.WriteLine();
Console.WriteLine("| rows | first poll (whole table from a NULL cursor) | poll, nothing new (median / p99 of 200) | poll, 1,000 new rows (median / max of 20) |");
Console.WriteLine("|---|---|---|---|");
Console.WriteLine($"| {rows:N0} | {first.Elapsed.TotalMilliseconds:F0} ms ({firstIds / first.Elapsed.TotalSeconds:N0} ids/s, {pages} pages) | " +
                  $"{Percentile(empty, 0.5):F2} / {Percentile(empty, 0.99):F2} ms | {Percentile(thousand, 0.5):F2} / {thousand.Max():F2} ms |");
Console.WriteLine();
Console.WriteLine($"# load average at end: {LoadAverage()}");
return 0;

static async Task<LoadResult> LoadAsync(SqlSourceOptions options, long rows, MemorySampler? sampler)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
    var workingSetBefore = Environment.WorkingSet;
    await using var source = SqlIdSource.Create(options);
    var gen0 = GC.CollectionCount(0);
    var gen2 = GC.CollectionCount(2);
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    using (sampler)
    {
        sampler?.Start();
        var stopwatch = Stopwatch.StartNew();
        var filter = new BloomFilter(rows, 0.01);
        long count = 0;
        await foreach (var id in source.ReadAllAsync(CancellationToken.None))
        {
            filter.Add(id);
            count++;
        }

        stopwatch.Stop();
        if (count != rows)
        {
            throw new InvalidOperationException($"read {count} ids, expected {rows}");
        }

        sampler?.Stop();
        return new LoadResult(stopwatch.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - allocated, heapBefore, sampler?.HeapPeak ?? 0,
            workingSetBefore, sampler?.WorkingSetPeak ?? 0, filter.MemoryBytes, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2);
    }
}

static async Task<(long Ids, int Pages)> CatchUpAsync(IncrementalSqlIdSource source, BloomFilter filter)
{
    long ids = 0;
    var pages = 0;
    while (true)
    {
        var batch = await source.ReadNewAsync(PageSize, CancellationToken.None);
        foreach (var id in batch.Ids)
        {
            filter.Add(id);
        }

        ids += batch.Ids.Count;
        pages++;
        source.Advance(batch);
        if (!batch.MayHaveMore)
        {
            return (ids, pages);
        }
    }
}

static async Task ExecuteAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
    await command.ExecuteNonQueryAsync();
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:F1} MB";

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

internal sealed record LoadResult(double Seconds, long Allocated, long HeapBefore, long HeapPeak, long WorkingSetBefore, long WorkingSetPeak, long FilterBytes, int Gen0, int Gen2);
