using EdgeGuard.Proxy.Filtering.Sources.Sql;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>The queries the README recommends, and helpers to build sources from them.</summary>
public static class SqlSources
{
    public const string Query = "SELECT sku FROM products";

    /// <summary>PostgreSQL: the cast lets it infer @cursor's type while it is NULL (the first poll).</summary>
    public const string PostgresIncrementalQuery = "SELECT sku, seq FROM products WHERE (@cursor::bigint IS NULL OR seq > @cursor) ORDER BY seq";

    public const string SqliteIncrementalQuery = "SELECT sku, seq FROM products WHERE (@cursor IS NULL OR seq > @cursor) ORDER BY seq";

    public static SqlSourceOptions Options(string provider, string connectionString, string query = Query, string? incrementalQuery = null,
        TimeSpan? pollInterval = null) => new()
        {
            Provider = provider,
            ConnectionString = connectionString,
            Query = query,
            IncrementalQuery = incrementalQuery,
            PollInterval = pollInterval ?? TimeSpan.FromSeconds(10),
        };

    public static IncrementalSqlIdSource Incremental(string provider, string connectionString, string incrementalQuery, string query = Query) =>
        (IncrementalSqlIdSource)SqlIdSource.Create(Options(provider, connectionString, query, incrementalQuery));

    public static async Task<List<string>> ReadAllAsync(IIdSource source)
    {
        var ids = new List<string>();
        await foreach (var id in source.ReadAllAsync(CancellationToken.None))
        {
            ids.Add(id);
        }

        return ids;
    }

    /// <summary>Reads page after page from the cursor, advancing after each, until caught up.</summary>
    public static async Task<(List<string> Ids, List<IdBatch> Pages)> CatchUpAsync(IIncrementalIdSource source, int maxIds)
    {
        var ids = new List<string>();
        var pages = new List<IdBatch>();
        while (true)
        {
            var batch = await source.ReadNewAsync(maxIds, CancellationToken.None);
            pages.Add(batch);
            ids.AddRange(batch.Ids);
            source.Advance(batch);
            if (!batch.MayHaveMore)
            {
                return (ids, pages);
            }
        }
    }
}
