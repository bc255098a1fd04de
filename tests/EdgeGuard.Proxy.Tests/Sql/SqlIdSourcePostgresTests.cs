using EdgeGuard.Proxy.Filtering.Sources.Sql;
using Npgsql;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>The SQL id source against a real PostgreSQL: streaming, the cursor, paging, the query check.</summary>
[Integration]
[Collection(PostgresCollection.Name)]
public sealed class SqlIdSourcePostgresTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Full_query_reads_every_id_once()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlIdSource.Create(SqlSources.Options("postgres", postgres.ReaderConnectionString(database)));

        var ids = await SqlSources.ReadAllAsync(source);

        Assert.Equal(PostgresFixture.SeededRows, ids.Count);
        Assert.Equal(PostgresFixture.SeededRows, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(PostgresFixture.SeededId(0), ids);
        Assert.Contains(PostgresFixture.SeededId(PostgresFixture.SeededRows - 1), ids);
        Assert.True(source.YieldsDistinctIds);
        Assert.False(source is IIncrementalIdSource); // no IncrementalQuery: not polled
    }

    /// <summary>
    /// Streamed, not materialised: when the first id comes out of the source, the server is still producing the
    /// result (2,000,000 rows, ~40 MB, far more than the socket buffers hold). A source that read the result into
    /// a list first would only yield once the server had sent everything and gone idle.
    /// </summary>
    [Fact]
    public async Task Full_query_is_streamed_row_by_row_not_materialised()
    {
        const string application = "edgeguard-stream-test";
        const int rows = 2_000_000;
        var connectionString = postgres.Server.AdminConnectionString() + $";Application Name={application}";
        await using var source = SqlIdSource.Create(SqlSources.Options("postgres", connectionString,
            query: $"SELECT 'GEN-' || g FROM generate_series(1, {rows}) AS g"));

        var count = 0;
        string? stateAtFirstId = null;
        long heapAtFirstId = 0, heapPeak = 0;
        await foreach (var id in source.ReadAllAsync(CancellationToken.None))
        {
            if (count == 0)
            {
                Assert.Equal("GEN-1", id);
                stateAtFirstId = await postgres.Server.ScalarAsync<string>(
                    $"SELECT state FROM pg_stat_activity WHERE application_name = '{application}'");
                heapAtFirstId = GC.GetTotalMemory(forceFullCollection: true);
            }
            else if (count % 250_000 == 0)
            {
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: true));
            }

            count++;
        }

        Assert.Equal(rows, count);
        Assert.Equal("active", stateAtFirstId);
        // 2,000,000 ids held in a list would be > 100 MB; streamed, the heap stays where it was (other tests of
        // this process allocate meanwhile, hence the generous bound).
        Assert.True(heapPeak - heapAtFirstId < 64 * 1024 * 1024, $"the heap grew by {(heapPeak - heapAtFirstId) / 1024 / 1024} MB while reading");
    }

    /// <summary>A reader stopped early (a cancelled load, a consumer that gives up) must not read the rest first.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stopping_half_way_through_a_large_result_returns_at_once(bool byCancelling)
    {
        // 10,000,000,000 rows, produced as they are sent (a nested loop, nothing materialised on the server).
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlIdSource.Create(SqlSources.Options("postgres", postgres.Server.AdminConnectionString(database),
            query: "SELECT a.sku || '.' || b.seq FROM products AS a CROSS JOIN products AS b"));
        using var cancel = new CancellationTokenSource();

        var reading = Task.Run(async () =>
        {
            var read = 0;
            try
            {
                await foreach (var _ in source.ReadAllAsync(cancel.Token))
                {
                    if (++read < 1_000)
                    {
                        continue;
                    }

                    if (!byCancelling)
                    {
                        break;
                    }

                    await cancel.CancelAsync();
                }
            }
            catch (OperationCanceledException) when (byCancelling)
            {
            }

            return read;
        });

        // Without cancelling the query, disposing the reader would read all the rows to the end first.
        var finished = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(reading, finished);
        Assert.True(await reading >= 1_000); // rows already buffered may still come out after the cancel
    }

    [Fact]
    public async Task First_poll_starts_from_a_null_cursor_and_pages_until_caught_up()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlSources.Incremental("postgres", postgres.ReaderConnectionString(database), SqlSources.PostgresIncrementalQuery);
        Assert.Null(source.Cursor);

        var (ids, pages) = await SqlSources.CatchUpAsync(source, maxIds: 30_000);

        Assert.Equal([30_000, 30_000, 30_000, 10_000], pages.Select(page => page.Ids.Count));
        Assert.Equal([true, true, true, false], pages.Select(page => page.MayHaveMore));
        Assert.Equal(Enumerable.Range(0, PostgresFixture.SeededRows).Select(PostgresFixture.SeededId), ids);
        Assert.Equal(100_000L, source.Cursor); // a bigint cursor comes back as a long
    }

    [Fact]
    public async Task A_page_of_exactly_max_ids_says_no_more_when_nothing_follows()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlSources.Incremental("postgres", postgres.ReaderConnectionString(database), SqlSources.PostgresIncrementalQuery);

        var (_, pages) = await SqlSources.CatchUpAsync(source, maxIds: 50_000);

        Assert.Equal([50_000, 50_000], pages.Select(page => page.Ids.Count));
        Assert.Equal([true, false], pages.Select(page => page.MayHaveMore));
    }

    [Fact]
    public async Task The_cursor_moves_only_on_Advance()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlSources.Incremental("postgres", postgres.ReaderConnectionString(database), SqlSources.PostgresIncrementalQuery);

        var first = await source.ReadNewAsync(10, CancellationToken.None);
        var again = await source.ReadNewAsync(10, CancellationToken.None);

        Assert.Equal(first.Ids, again.Ids); // not advanced: the same rows again (a failed announcement loses nothing)
        Assert.Null(source.Cursor);

        source.Advance(first);
        var next = await source.ReadNewAsync(10, CancellationToken.None);

        Assert.Equal(10L, source.Cursor);
        Assert.Equal(Enumerable.Range(10, 10).Select(PostgresFixture.SeededId), next.Ids);
    }

    [Fact]
    public async Task New_rows_are_read_after_the_cursor_and_nothing_else()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlSources.Incremental("postgres", postgres.ReaderConnectionString(database), SqlSources.PostgresIncrementalQuery);
        await SqlSources.CatchUpAsync(source, maxIds: 100_000);

        var nothing = await source.ReadNewAsync(1_000, CancellationToken.None);
        source.Advance(nothing);
        var afterNothing = source.Cursor;
        await postgres.InsertAsync(database, ["NEW-1", "NEW-2", "NEW-3"]);
        var (ids, _) = await SqlSources.CatchUpAsync(source, maxIds: 1_000);

        Assert.Same(IdBatch.Empty, nothing);
        Assert.Equal(100_000L, afterNothing); // advancing past nothing keeps the cursor
        Assert.Equal(["NEW-1", "NEW-2", "NEW-3"], ids);
        Assert.Equal(100_003L, source.Cursor);
    }

    /// <summary>The cursor is whatever type the second column has, passed back with that type.</summary>
    [Theory]
    [InlineData("timestamptz", "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 microsecond'", typeof(DateTime))]
    [InlineData("timestamp", "timestamp '2026-01-01 00:00:00' + g * interval '1 second'", typeof(DateTime))]
    [InlineData("text", "'C-' || lpad(g::text, 5, '0')", typeof(string))]
    [InlineData("integer", "g", typeof(int))]
    [InlineData("numeric", "g * 1.5", typeof(decimal))]
    public async Task Cursors_of_any_column_type_page_correctly(string type, string expression, Type clrType)
    {
        var database = await postgres.CreateCatalogAsync();
        await postgres.Server.ExecuteAsync(
            $"""
             CREATE TABLE events (sku text PRIMARY KEY, at {type} NOT NULL UNIQUE);
             INSERT INTO events SELECT 'EV-' || g, {expression} FROM generate_series(1, 1000) AS g;
             GRANT SELECT ON events TO {PostgresFixture.ReaderRole};
             """, database);
        await using var source = SqlSources.Incremental("postgres", postgres.ReaderConnectionString(database),
            $"SELECT sku, at FROM events WHERE (@cursor::{type} IS NULL OR at > @cursor) ORDER BY at", query: "SELECT sku FROM events");

        var (ids, pages) = await SqlSources.CatchUpAsync(source, maxIds: 300);
        await postgres.Server.ExecuteAsync($"INSERT INTO events SELECT 'EV-' || g, {expression} FROM generate_series(1001, 1002) AS g", database);
        var (added, _) = await SqlSources.CatchUpAsync(source, maxIds: 300);

        Assert.Equal(Enumerable.Range(1, 1000).Select(i => "EV-" + i), ids);
        Assert.Equal(4, pages.Count);
        Assert.IsType(clrType, source.Cursor);
        Assert.Equal(["EV-1001", "EV-1002"], added);
    }

    /// <summary>
    /// NULL on the first poll: PostgreSQL cannot infer the type of a parameter that only appears in
    /// <c>@cursor IS NULL</c> first; a cast (or the comparison first, or COALESCE) lets it. The unusable form is
    /// refused by the start-up check, naming the setting, instead of failing every poll.
    /// </summary>
    [Theory]
    [InlineData("(@cursor::bigint IS NULL OR seq > @cursor)", true)]
    [InlineData("(seq > @cursor OR @cursor IS NULL)", true)]
    [InlineData("seq > COALESCE(@cursor, 0)", true)]
    [InlineData("(@cursor IS NULL OR seq > @cursor)", false)]
    public async Task Null_first_cursor_forms(string condition, bool works)
    {
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlSources.Incremental("postgres", postgres.ReaderConnectionString(database),
            $"SELECT sku, seq FROM products WHERE {condition} ORDER BY seq");

        if (works)
        {
            await source.CheckQueriesAsync(CancellationToken.None);
            var batch = await source.ReadNewAsync(5, CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, 5).Select(PostgresFixture.SeededId), batch.Ids);
        }
        else
        {
            var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() => source.CheckQueriesAsync(CancellationToken.None));
            Assert.Contains("EdgeGuard:Bloom:Sql:IncrementalQuery", error.Message);
            Assert.Contains("@cursor::bigint", error.Message);
        }
    }

    [Theory]
    [InlineData("SELEC sku FROM products", null, "EdgeGuard:Bloom:Sql:Query", "syntax error")]
    [InlineData("SELECT sku FROM no_such_table", null, "EdgeGuard:Bloom:Sql:Query", "no_such_table")]
    [InlineData("SELECT sku FROM products", "SELECT sku, seq FROM products WHERE seq > @cursor ORDER BY", "EdgeGuard:Bloom:Sql:IncrementalQuery", "syntax error")]
    [InlineData("SELECT sku FROM products", "SELECT sku FROM products WHERE seq > @cursor", "EdgeGuard:Bloom:Sql:IncrementalQuery", "two: (id, cursor)")]
    [InlineData("SELECT sku FROM products", "SELECT sku, no_such_column FROM products WHERE seq > @cursor", "EdgeGuard:Bloom:Sql:IncrementalQuery", "no_such_column")]
    public async Task Query_check_refuses_a_query_the_database_refuses_naming_the_setting(string query, string? incrementalQuery, string setting, string reason)
    {
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlIdSource.Create(SqlSources.Options("postgres", postgres.ReaderConnectionString(database), query, incrementalQuery));

        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() => source.CheckQueriesAsync(CancellationToken.None));

        Assert.StartsWith(setting + " ", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain(PostgresFixture.ReaderRole, error.Message); // nothing of the connection string
    }

    [Fact]
    public async Task Query_check_passes_good_queries_and_leaves_nothing_behind()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var source = SqlSources.Incremental("postgres", postgres.ReaderConnectionString(database), SqlSources.PostgresIncrementalQuery + ";");

        await source.CheckQueriesAsync(CancellationToken.None);

        Assert.Null(source.Cursor);
        Assert.Equal(PostgresFixture.SeededRows, (await SqlSources.ReadAllAsync(source)).Count);
    }

    [Fact]
    public async Task An_unreachable_database_is_not_a_configuration_error()
    {
        var closedPort = postgres.Server.Port + 1; // nothing listens there
        var connectionString = $"Host=127.0.0.1;Port={closedPort};Username=x;Database=x;Timeout=2";
        var settings = SqlSources.Options("postgres", connectionString, incrementalQuery: SqlSources.PostgresIncrementalQuery);
        await using var source = (IncrementalSqlIdSource)SqlIdSource.Create(settings);
        await using var services = new ServiceCollection().AddSingleton(new ConfiguredSqlSource(source)).BuildServiceProvider();
        var check = new SqlQueryCheck(Microsoft.Extensions.Options.Options.Create(new EdgeGuardOptions { Bloom = { Sql = settings } }), services,
            NullLogger<SqlQueryCheck>.Instance);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => source.CheckQueriesAsync(CancellationToken.None));
        await check.RunAsync(CancellationToken.None); // logs and goes on: the first load retries

        Assert.IsNotType<ConfigurationErrorException>(failure);
        Assert.IsAssignableFrom<NpgsqlException>(failure);
    }

    [Fact]
    public async Task Numeric_ids_are_read_as_their_invariant_text()
    {
        await using var source = SqlIdSource.Create(SqlSources.Options("postgres", postgres.Server.AdminConnectionString(),
            query: "SELECT g::bigint FROM generate_series(1, 3) AS g UNION ALL SELECT NULL"));

        var ids = await SqlSources.ReadAllAsync(source);

        Assert.Equal(["1", "2", "3", ""], ids); // NULL: an invalid id, skipped and counted by the builder
    }
}
