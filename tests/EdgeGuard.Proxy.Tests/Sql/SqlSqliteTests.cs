using System.Net;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Sources.Sql;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>The SQL id source over a SQLite file: the source itself, the gateway end to end, bad settings.</summary>
public sealed class SqlSqliteTests(SqliteCatalogFixture catalogs) : IClassFixture<SqliteCatalogFixture>
{
    private static string ConnectionString(string path) => $"Data Source={path}";

    [Fact]
    public async Task Full_query_reads_every_id()
    {
        var path = catalogs.CreateCatalog();
        await using var source = SqlIdSource.Create(SqlSources.Options("sqlite", ConnectionString(path)));

        var ids = await SqlSources.ReadAllAsync(source);

        Assert.Equal(Enumerable.Range(0, PostgresFixture.SeededRows).Select(PostgresFixture.SeededId).Order(StringComparer.Ordinal),
            ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Incremental_reads_page_from_a_null_cursor_and_the_cursor_moves_only_on_Advance()
    {
        var path = catalogs.CreateCatalog();
        await using var source = SqlSources.Incremental("sqlite", ConnectionString(path), SqlSources.SqliteIncrementalQuery);

        var first = await source.ReadNewAsync(40_000, CancellationToken.None);
        var again = await source.ReadNewAsync(40_000, CancellationToken.None);
        Assert.Null(source.Cursor);
        Assert.Equal(first.Ids, again.Ids);
        source.Advance(first);
        var (rest, pages) = await SqlSources.CatchUpAsync(source, maxIds: 40_000);
        SqliteCatalogFixture.Insert(path, "NEW-1", "NEW-2");
        var (added, _) = await SqlSources.CatchUpAsync(source, maxIds: 40_000);

        Assert.True(first.MayHaveMore);
        Assert.Equal([40_000, 20_000], pages.Select(page => page.Ids.Count));
        Assert.Equal([true, false], pages.Select(page => page.MayHaveMore));
        Assert.Equal(Enumerable.Range(0, PostgresFixture.SeededRows).Select(PostgresFixture.SeededId), first.Ids.Concat(rest));
        Assert.Equal(["NEW-1", "NEW-2"], added);
        Assert.Equal(100_002L, source.Cursor); // an INTEGER cursor comes back as a long
    }

    [Theory]
    [InlineData("SELEC sku FROM products", null, "EdgeGuard:Bloom:Sql:Query")]
    [InlineData("SELECT sku FROM no_such_table", null, "EdgeGuard:Bloom:Sql:Query")]
    [InlineData(SqlSources.Query, "SELECT sku, seq FROM products WHERE seq > @cursor ORDER", "EdgeGuard:Bloom:Sql:IncrementalQuery")]
    [InlineData(SqlSources.Query, "SELECT sku FROM products WHERE seq > @cursor", "EdgeGuard:Bloom:Sql:IncrementalQuery")]
    public async Task Query_check_refuses_a_query_the_database_refuses_naming_the_setting(string query, string? incrementalQuery, string setting)
    {
        var path = catalogs.CreateCatalog();
        await using var source = SqlIdSource.Create(SqlSources.Options("sqlite", ConnectionString(path), query, incrementalQuery));

        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() => source.CheckQueriesAsync(CancellationToken.None));

        Assert.StartsWith(setting + " ", error.Message);
    }

    /// <summary>Opened read-only: a file that is not there yet is an outage (retried), never a new empty catalog.</summary>
    [Fact]
    public async Task A_missing_file_is_an_outage_and_is_not_created()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edgeguard-missing-{Guid.NewGuid():N}.db");
        await using var source = SqlSources.Incremental("sqlite", ConnectionString(path), SqlSources.SqliteIncrementalQuery);

        var failure = await Assert.ThrowsAsync<SqliteException>(() => source.CheckQueriesAsync(CancellationToken.None));

        Assert.Equal(14, failure.SqliteErrorCode); // SQLITE_CANTOPEN
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Gateway_learns_every_id_from_the_file_and_new_rows_within_the_poll_interval()
    {
        var path = catalogs.CreateCatalog();
        await using var bed = await SqlGatewayBed.StartAsync(
            SqlGatewayBed.Settings("sqlite", ConnectionString(path), SqlSources.SqliteIncrementalQuery));

        var rejected = Enumerable.Range(0, PostgresFixture.SeededRows).Select(PostgresFixture.SeededId).Where(id => !bed.Filter.MightContain(id)).ToList();
        Assert.Empty(rejected);
        foreach (var index in new[] { 0, 4_242, 99_999 })
        {
            Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await bed.GetAsync(PostgresFixture.SeededId(index)));
        }

        Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await bed.GetAsync("NEW-1"));
        Assert.Equal(PostgresFixture.SeededRows, await bed.CurrentItemsAsync());

        await bed.WaitForFirstPollAsync();
        SqliteCatalogFixture.Insert(path, "NEW-1");
        var took = await bed.TimeUntilServedAsync("NEW-1", TimeSpan.FromSeconds(10));

        Assert.True(took <= SqlGatewayBed.PollInterval + TimeSpan.FromSeconds(1), $"learned after {took.TotalMilliseconds:F0} ms");
        Assert.Equal(0, bed.Upstream.CallsTo("/products/ids"));
    }

    [Integration]
    [Theory]
    [InlineData("Data Source=catalog.db;Frobnicate=1", "EdgeGuard:Bloom:Sql:ConnectionString")]
    [InlineData("Data Source=:memory:", "EdgeGuard:Bloom:Sql:ConnectionString")]
    [InlineData("Mode=ReadOnly", "EdgeGuard:Bloom:Sql:ConnectionString")]
    public async Task Bad_connection_string_stops_the_gateway(string connectionString, string setting)
    {
        var outcome = await GatewayProcess.RunUntilExitAsync(SqlGatewayEnvironment.SqlOnly("sqlite", connectionString, SqlSources.Query), TimeSpan.FromSeconds(60));

        GatewayProcess.AssertRefused(outcome, setting);
    }

    [Integration]
    [Fact]
    public async Task Query_that_does_not_parse_stops_the_gateway()
    {
        var path = catalogs.CreateCatalog();

        var outcome = await GatewayProcess.RunUntilExitAsync(
            SqlGatewayEnvironment.SqlOnly("sqlite", ConnectionString(path), SqlSources.Query, "SELECT sku, seq FROM products WHERE seq > @cursor ORDER"),
            TimeSpan.FromSeconds(60));

        GatewayProcess.AssertRefused(outcome, "EdgeGuard:Bloom:Sql:IncrementalQuery");
    }
}
