// The end-to-end half of issue 23's scale run: a catalog of N ids in PostgreSQL read into a filter, then real gateway
// processes in a cluster (see EdgeGuard.Testing's ScaleCluster). Normally run by bench/scale/run.sh; alone:
//
//   dotnet build EdgeGuard.sln -c Release && dotnet bench/ScaleE2E/bin/Release/net10.0/ScaleE2E.dll --ids 50000000
//
// Needs PostgreSQL's server binaries and redis-server (as the tests do), and disk for the table: about 140 bytes per
// id with its indexes (7 GB at 50M), in the temporary directory, removed at the end.

using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Filtering.Sources.Sql;
using EdgeGuard.Testing.Scale;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

var ids = 50_000_000L;
var gateways = true;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--ids":
            ids = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--no-gateways":
            gateways = false;
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; use --ids N [--no-gateways]");
            return 2;
    }
}

Console.WriteLine($"# end to end at {ids:N0} ids: {Environment.ProcessorCount} cores, .NET {Environment.Version}, GC {(GCSettings.IsServerGC ? "server" : "workstation")}, " +
                  $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}");
var fill = Stopwatch.StartNew();
await using var catalog = await ScaleCatalog.CreateAsync(ids);
Console.WriteLine($"# catalog: {ids:N0} rows, {Mb(catalog.TableBytes)} with its indexes, filled in {catalog.FillTime.TotalSeconds:F0} s (not measured below)");

// 1. In this process: the full read into a filter, as before issue 23 and as now.
var key = BloomFilterKey.NewRandom();
var before = await BeforeAsync(catalog, key);
Console.WriteLine($"# before (data reader, sequential Add, standard layout): {before.TotalSeconds:F1} s, load {LoadAverage()}");
var (now, built) = await NowAsync(catalog, key);
Console.WriteLine($"# now (COPY, parallel builder, blocked layout): {now.TotalSeconds:F1} s, load {LoadAverage()}");
var (falseNegatives, letThrough) = Check(built.Filter, ids);
if (falseNegatives != 0 || built.Items != ids)
{
    Console.Error.WriteLine($"the filter read from PostgreSQL misses {falseNegatives} ids and counts {built.Items} of {ids}");
    return 1;
}

Console.WriteLine();
Console.WriteLine($"| full read from PostgreSQL into a filter, {ids:N0} ids | time | ids/s | filter | let through (of 2M absent) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
Console.WriteLine($"| before: data reader, `Add` one by one (standard layout) | {before.TotalSeconds:F1} s | {ids / before.TotalSeconds / 1e6:F2} M | – | – |");
Console.WriteLine($"| now: `COPY … (FORMAT binary)`, parallel builder (blocked) | **{now.TotalSeconds:F1} s** | {ids / now.TotalSeconds / 1e6:F2} M | {Mb(built.Filter.MemoryBytes)} | {letThrough:P3} |");
built = null!;
GC.Collect();

if (!gateways)
{
    return 0;
}

// 2. Gateway processes in a cluster.
Console.WriteLine();
var e2e = await ScaleCluster.RunAsync(catalog, line => Console.WriteLine($"# {DateTime.UtcNow:HH:mm:ss} {line}, load {LoadAverage()}"), TimeSpan.FromMinutes(15));
var filter = e2e.FilterBytes;
Console.WriteLine();
Console.WriteLine($"| gateway, {ids:N0} ids, filter {Mb(filter)} | measured | target (issue 23) |");
Console.WriteLine("|---|---:|---|");
Console.WriteLine($"| A: start to ready (reads PostgreSQL, builds) | {e2e.FirstReady.TotalSeconds:F1} s | – |");
Console.WriteLine($"| A: peak RSS while building (VmHWM) | {Mb(e2e.FirstPeak)} | – |");
Console.WriteLine($"| A: RSS steady (VmRSS, idle, snapshot written) | **{Mb(e2e.Steady)}** = filter + {Mb(e2e.Steady - filter)} | <= filter + 150 MB |");
Console.WriteLine($"| A: reload (`POST /bloom/reload`: read, swap, snapshot to Redis) | {e2e.Rebuild.TotalSeconds:F1} s | – |");
Console.WriteLine($"| A: peak RSS during the reload (VmHWM reset before it) | **{Mb(e2e.RebuildPeak)}** = 2 x filter + {Mb(e2e.RebuildPeak - 2 * filter)} | <= 2 x filter + 150 MB |");
Console.WriteLine($"| A: RSS steady after the reload | {Mb(e2e.SteadyAfterRebuild)} = filter + {Mb(e2e.SteadyAfterRebuild - filter)} | <= filter + 150 MB |");
Console.WriteLine($"| B: start to ready, from the cluster's snapshot ({Mb(e2e.SnapshotBytes)} in Redis; {e2e.JoinedFrom}) | **{e2e.Join.TotalSeconds:F1} s** | <= 3 s |");
Console.WriteLine($"| B: peak RSS while joining | {Mb(e2e.JoinPeak)} | – |");
Console.WriteLine($"| B: RSS steady | {Mb(e2e.JoinSteady)} = filter + {Mb(e2e.JoinSteady - filter)} | <= filter + 150 MB |");
Console.WriteLine($"| the snapshot's filter: false negatives over all {ids:N0} ids; let through of 2M absent | {e2e.FalseNegatives}; {e2e.FalsePositiveShare:P3} | 0; <= {e2e.ConfiguredRate:P1} |");
Console.WriteLine($"| B over HTTP: absent ids answered 404 by the filter; present ids refused | {e2e.RejectedAbsentShare:P1}; {e2e.PresentRejected} | –; 0 |");
Console.WriteLine();
Console.WriteLine($"# end {DateTime.UtcNow:HH:mm} UTC, load average {LoadAverage()}");
return e2e.FalseNegatives == 0 && e2e.PresentRejected == 0 ? 0 : 1;

// As main read a database before issue 23: a data reader, a string per row, Add on one thread, the standard layout.
static async Task<TimeSpan> BeforeAsync(ScaleCatalog catalog, BloomFilterKey key)
{
    var started = Stopwatch.StartNew();
    var filter = new BloomFilter(catalog.Ids, 0.01, BloomFilterLayout.Standard, key);
    await using var connection = new NpgsqlConnection(catalog.ConnectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(ScaleCatalog.Query, connection);
    await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult);
    long read = 0;
    while (await reader.ReadAsync())
    {
        filter.Add(reader.GetString(0));
        read++;
    }

    if (read != catalog.Ids)
    {
        throw new InvalidOperationException($"read {read} of {catalog.Ids} rows");
    }

    return started.Elapsed;
}

// The gateway's own builder and SQL source, as a rebuild runs them.
static async Task<(TimeSpan Took, BuiltFilter Built)> NowAsync(ScaleCatalog catalog, BloomFilterKey key)
{
    var options = new SqlSourceOptions { Provider = "postgres", ConnectionString = catalog.ConnectionString, Query = ScaleCatalog.Query };
    await using var source = SqlIdSource.Create(options);
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [FilterKeyProvider.EnvironmentVariable] = key.ToHex() }).Build();
    var keys = new FilterKeyProvider(configuration);
    keys.ResolveLocal(fromSnapshot: null);
    var builder = new FilterBuilder(new IdSourceSet([source]), ProductIdRule.Default, keys,
        Options.Create(new EdgeGuardOptions { Bloom = new BloomOptions { ExpectedItems = catalog.Ids } }), TimeProvider.System, NullLogger<FilterBuilder>.Instance);
    var started = Stopwatch.StartNew();
    var built = await builder.BuildAsync(knownItems: null, CancellationToken.None);
    return (started.Elapsed, built);
}

static (long FalseNegatives, double LetThrough) Check(BloomFilter filter, long ids)
{
    Span<char> buffer = stackalloc char[32];
    long missing = 0, through = 0;
    for (long row = 1; row <= ids; row++)
    {
        missing += filter.MightContain(ScaleCatalog.Id(row, buffer)) ? 0 : 1;
    }

    for (long i = 0; i < 2_000_000; i++)
    {
        through += filter.MightContain(ScaleCatalog.AbsentId(i, buffer)) ? 1 : 0;
    }

    return (missing, through / 2_000_000.0);
}

static string Mb(long bytes) => $"{bytes / 1e6:F1} MB";

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
