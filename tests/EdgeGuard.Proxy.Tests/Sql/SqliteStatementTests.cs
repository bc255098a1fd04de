using EdgeGuard.Proxy.Filtering.Sources.Sql;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// The full read from SQLite through its statement API: every id as the data reader (which the incremental query
/// uses) spells it, errors as the provider reports them, a cancelled read that stops where it was.
/// </summary>
public sealed class SqliteStatementTests(SqliteCatalogFixture catalogs) : IClassFixture<SqliteCatalogFixture>
{
    [Fact]
    public async Task The_seeded_catalog_reads_as_the_data_reader_reads_it()
    {
        var path = catalogs.CreateCatalog();

        var (byStatement, byReader) = await ReadBothAsync(path, SqlSources.Query);

        Assert.Equal(PostgresFixture.SeededRows, byStatement.Count);
        Assert.Equal(byReader, byStatement);
    }

    /// <summary>Text, integers and NULL in one column (SQLite types values, not columns), and a column declared INTEGER.</summary>
    [Theory]
    [InlineData("SELECT v FROM mixed ORDER BY n")]
    [InlineData("SELECT i FROM mixed ORDER BY n")]
    public async Task Text_integers_and_null_are_spelled_as_the_data_reader_spells_them(string query)
    {
        var path = catalogs.CreateCatalog();
        using (var connection = SqliteCatalogFixture.Open(path))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE mixed (n INTEGER, v, i INTEGER);
                INSERT INTO mixed VALUES (1, 'SKU-1', 10), (2, 42, -9223372036854775808), (3, NULL, NULL), (4, 'ünïcode-ß', 7), (5, '', 0);
                """;
            command.ExecuteNonQuery();
        }

        var (byStatement, byReader) = await ReadBothAsync(path, query);

        Assert.Equal(5, byStatement.Count);
        Assert.Equal(byReader, byStatement);
    }

    [Fact]
    public async Task A_query_SQLite_refuses_fails_as_the_provider_reports_it()
    {
        var path = catalogs.CreateCatalog();
        await using var source = SqlIdSource.Create(SqlSources.Options("sqlite", $"Data Source={path}", query: "SELECT sku FROM no_such_table"));

        var failure = await Assert.ThrowsAsync<SqliteException>(() => SqlSources.ReadAllAsync(source));

        Assert.Equal(1, failure.SqliteErrorCode); // SQLITE_ERROR: a query error, which stops the gateway as a configuration error
        Assert.Contains("no_such_table", failure.Message);
    }

    [Fact]
    public async Task A_cancelled_read_stops_there_and_the_next_read_is_whole()
    {
        var path = catalogs.CreateCatalog();
        await using var source = SqlIdSource.Create(SqlSources.Options("sqlite", $"Data Source={path}"));
        using var cancel = new CancellationTokenSource();

        var read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in source.ReadAllAsync(cancel.Token))
            {
                if (++read == 1_000)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(1_000, read);
        SqliteCatalogFixture.Insert(path, "AFTER-1");
        var next = await SqlSources.ReadAllAsync(source);
        Assert.Equal(PostgresFixture.SeededRows + 1, next.Count);
        Assert.Contains("AFTER-1", next);
    }

    private static async Task<(List<string> ByStatement, List<string> ByReader)> ReadBothAsync(string path, string query)
    {
        await using var source = SqlIdSource.Create(SqlSources.Options("sqlite", $"Data Source={path}", query: query));
        await using var database = SqlIdDatabase.Create(SqlProvider.Sqlite, $"Data Source={path}", NullLogger.Instance);
        var byReader = new List<string>();
        await foreach (var id in DataReaderIds.ReadAsync(database, query, CancellationToken.None))
        {
            byReader.Add(id);
        }

        return (await SqlSources.ReadAllAsync(source), byReader);
    }
}
