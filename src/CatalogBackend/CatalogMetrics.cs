using Prometheus;

namespace CatalogBackend;

/// <summary>
/// The catalog's Prometheus metrics, in a registry of their own per application instance so that two
/// catalogs in one process (tests) never count each other's queries.
/// </summary>
public sealed class CatalogMetrics
{
    private readonly Counter _dbQueries;

    public CatalogMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        _dbQueries = Metrics.WithCustomRegistry(Registry).CreateCounter(
            "catalog_db_queries_total",
            "SQL statements run against the catalog database to serve requests (seeding not included).");
    }

    public CollectorRegistry Registry { get; }

    public double DbQueries => _dbQueries.Value;

    /// <summary>Call once for each SQL statement run to serve a request, just before running it.</summary>
    public void CountDbQuery() => _dbQueries.Inc();
}
