using System.Net;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Sources.Sql;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// Where the incremental query starts never depends on what it makes of a NULL <c>@cursor</c>: the query a user
/// writes first (<c>seq &gt; @cursor</c>, which returns nothing for NULL) learns new rows; one that would learn
/// nothing from any start stops start-up naming <c>IncrementalQuery</c>.
/// </summary>
public sealed class IncrementalStartTests(SqliteCatalogFixture catalogs) : IClassFixture<SqliteCatalogFixture>
{
    /// <summary>The obvious query: <c>seq &gt; NULL</c> is never true.</summary>
    public const string ObviousQuery = "SELECT sku, seq FROM products WHERE seq > @cursor ORDER BY seq";

    private static string ConnectionString(string path) => $"Data Source={path}";

    [Fact]
    public async Task Obvious_query_reads_from_the_start_without_a_null_cursor()
    {
        var path = catalogs.CreateCatalog();
        await using var source = SqlSources.Incremental("sqlite", ConnectionString(path), ObviousQuery);

        var first = await source.ReadNewAsync(10, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 10).Select(PostgresFixture.SeededId), first.Ids);
        Assert.True(first.MayHaveMore);
    }

    [Fact]
    public async Task Obvious_query_passes_the_start_up_check_and_learns_a_row_created_after_the_full_read()
    {
        var path = catalogs.CreateCatalog();
        await using var source = SqlSources.Incremental("sqlite", ConnectionString(path), ObviousQuery);
        await source.CheckQueriesAsync(CancellationToken.None);

        // What a build records before its full read: the highest cursor there is; the poller goes on from it.
        var position = await source.PositionAsync(CancellationToken.None);
        SqliteCatalogFixture.Insert(path, "NEW-1");
        var (learned, _) = await SqlSources.CatchUpAsync(source, maxIds: 1_000);

        Assert.True(SqlCursor.TryParse(position, out var cursor));
        Assert.Equal((long)PostgresFixture.SeededRows, cursor!.Value);
        Assert.Equal(["NEW-1"], learned);
    }

    [Fact]
    public async Task Query_that_returns_nothing_from_any_start_is_refused_naming_IncrementalQuery()
    {
        var path = catalogs.CreateCatalog();
        // A BLOB cursor has no lowest value to start from, and "> NULL" is never true.
        await using var source = SqlSources.Incremental("sqlite", ConnectionString(path),
            "SELECT sku, CAST(sku AS BLOB) AS k FROM products WHERE CAST(sku AS BLOB) > @cursor ORDER BY k");

        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() => source.CheckQueriesAsync(CancellationToken.None));

        Assert.StartsWith("EdgeGuard:Bloom:Sql:IncrementalQuery returns no row for @cursor NULL", error.Message);
        Assert.Contains("never learn a new id", error.Message);
    }

    [Fact]
    public async Task A_query_that_reads_null_as_the_beginning_keeps_its_null_start()
    {
        var path = catalogs.CreateCatalog();
        await using var source = SqlSources.Incremental("sqlite", ConnectionString(path), SqlSources.SqliteIncrementalQuery);
        await source.CheckQueriesAsync(CancellationToken.None);

        var first = await source.ReadNewAsync(3, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 3).Select(PostgresFixture.SeededId), first.Ids);
    }

    [Fact]
    public async Task Gateway_refuses_to_start_with_a_query_that_would_learn_nothing()
    {
        var path = catalogs.CreateCatalog();

        var outcome = await GatewayProcess.RunUntilExitAsync(SqlGatewayEnvironment.SqlOnly("sqlite", ConnectionString(path), SqlSources.Query,
            "SELECT sku, CAST(sku AS BLOB) AS k FROM products WHERE CAST(sku AS BLOB) > @cursor ORDER BY k"), TimeSpan.FromSeconds(60));

        GatewayProcess.AssertRefused(outcome, "EdgeGuard:Bloom:Sql:IncrementalQuery");
    }

    [Fact]
    public async Task Cursor_kept_as_text_reads_back_with_its_type()
    {
        var cursors = new SqlCursor[]
        {
            new(42L, "bigint"), new(-7, "integer"), new((short)3, null), new(12.5m, "numeric"), new(0.25d, null),
            new(new DateTime(2026, 12, 6, 1, 2, 3, DateTimeKind.Utc), "timestamp with time zone"),
            new(new DateTimeOffset(2026, 12, 6, 1, 2, 3, TimeSpan.FromHours(1)), null), new(Guid.NewGuid(), "uuid"), new("a|b c", "text"),
        };

        foreach (var cursor in cursors)
        {
            Assert.True(SqlCursor.TryParse(cursor.ToText(), out var read), cursor.ToText());
            Assert.Equal(cursor.Value, read!.Value);
            Assert.Equal(cursor.Value.GetType(), read.Value.GetType());
            Assert.Equal(cursor.DataTypeName, read.DataTypeName);
        }

        Assert.False(SqlCursor.TryParse("i64|bigint|not a number", out _));
        Assert.False(SqlCursor.TryParse("nonsense", out _));
    }
}

/// <summary>The obvious incremental query against PostgreSQL, end to end: a row inserted after start is learned.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IncrementalStartPostgresTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Obvious_query_learns_a_row_inserted_after_start_within_the_poll_interval()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var bed = await SqlGatewayBed.StartAsync(
            SqlGatewayBed.Settings("postgres", postgres.ReaderConnectionString(database), IncrementalStartTests.ObviousQuery));
        await bed.WaitForFirstPollAsync();
        Assert.Equal(AnswerSource.Bloom, (await bed.GetAsync("NEW-1")).Source);

        await postgres.InsertAsync(database, ["NEW-1"]);
        var took = await bed.TimeUntilServedAsync("NEW-1", TimeSpan.FromSeconds(10));

        Assert.True(took <= SqlGatewayBed.PollInterval + TimeSpan.FromSeconds(1), $"learned after {took.TotalMilliseconds:F0} ms");
        Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await bed.GetAsync(PostgresFixture.SeededId(3)));
    }
}
