using EdgeGuard.Proxy.Filtering.Sources.Sql;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// The full read from PostgreSQL: a binary COPY where it can be used, the data reader where it cannot (a column type
/// it is not used for, a COPY the server refuses), the same ids either way; a COPY that fails half-way fails the read.
/// Which way a read went is seen from the server (<c>pg_stat_activity</c> while the first id is in hand) and the log.
/// </summary>
[Integration]
[Collection(PostgresCollection.Name)]
public sealed class PostgresCopyTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Full_query_is_read_by_a_binary_COPY()
    {
        var database = await postgres.CreateCatalogAsync();
        var (ids, running, logs) = await ReadAsync(database, SqlSources.Query, "edgeguard-copy");

        Assert.Equal("COPY (\nSELECT sku FROM products\n) TO STDOUT (FORMAT binary)", running);
        Assert.Equal(Enumerable.Range(0, PostgresFixture.SeededRows).Select(PostgresFixture.SeededId).Order(StringComparer.Ordinal),
            ids.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(logs.Entries, entry => entry.Message.Contains("data reader", StringComparison.Ordinal));
    }

    /// <summary>
    /// PostgreSQL runs any query a COPY can hold (FOR UPDATE and data-modifying WITH included), so the refusal of a
    /// compatible server without binary COPY is stood for by a COPY statement PostgreSQL refuses (HEADER is not allowed
    /// in binary mode): the real server's refusal, before any row, and the data reader reads the query instead.
    /// </summary>
    [Fact]
    public async Task A_COPY_the_server_refuses_is_read_with_a_data_reader()
    {
        var database = await postgres.CreateCatalogAsync();
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var connectionString = postgres.ReaderConnectionString(database);
        await using var ids = SqlIdDatabase.Create(SqlProvider.Postgres, connectionString, NullLogger.Instance);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var copy = new PostgresCopyIds(dataSource, ids, factory.CreateLogger("copy"))
        {
            CopyStatement = query => $"COPY (\n{query}\n) TO STDOUT (FORMAT binary, HEADER)",
        };

        var read = new List<string>();
        await foreach (var id in copy.ReadAsync(SqlSources.Query, CancellationToken.None))
        {
            read.Add(id);
        }

        Assert.Equal(Enumerable.Range(0, PostgresFixture.SeededRows).Select(PostgresFixture.SeededId).Order(StringComparer.Ordinal),
            read.Order(StringComparer.Ordinal));
        var refusal = Assert.Single(logs.Entries);
        Assert.Contains("with a data reader", refusal.Message);
        Assert.Contains("the server refused COPY", refusal.Message);
    }

    [Fact]
    public async Task Ids_of_a_type_COPY_is_not_used_for_are_read_with_a_data_reader()
    {
        const string query = "SELECT (g * 1.5)::numeric FROM generate_series(1, 3) AS g";
        var (ids, running, logs) = await ReadAsync("postgres", query, "edgeguard-copy-numeric");

        Assert.Equal(query, running);
        Assert.Equal(["1.5", "3.0", "4.5"], ids);
        Assert.Contains(logs.Entries, entry => entry.Message.Contains("numeric", StringComparison.Ordinal));
    }

    /// <summary>Each type COPY reads, NULL among them, comes out as the data reader (which the incremental query uses) spells it.</summary>
    [Theory]
    [InlineData("text", "'SKU-1'", "'a b'")]
    [InlineData("varchar(20)", "'SKU-1'", "'x'")]
    [InlineData("char(6)", "'AB'", "'ABCDEF'")] // padded to 6, as the data reader reads it
    [InlineData("name", "'SKU-1'", "'n'")]
    [InlineData("smallint", "-7", "32767")]
    [InlineData("integer", "42", "-2147483648")]
    [InlineData("bigint", "9007199254740993", "-1")]
    [InlineData("uuid", "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", "'00000000-0000-0000-0000-000000000000'")]
    [InlineData("edgeguard_sku", "'SKU-9'", "'SKU-10'")] // a domain over text
    public async Task Every_type_COPY_reads_is_spelled_as_the_data_reader_spells_it(string type, string first, string second)
    {
        await postgres.Server.ExecuteAsync("DO $$ BEGIN CREATE DOMAIN edgeguard_sku AS text; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        var query = $"SELECT v::{type} FROM (VALUES (1, {first}), (2, NULL), (3, {second})) AS t(n, v) ORDER BY n";
        var (ids, running, _) = await ReadAsync("postgres", query, "edgeguard-copy-types");
        await using var database = SqlIdDatabase.Create(SqlProvider.Postgres, postgres.Server.AdminConnectionString(), NullLogger.Instance);
        var byReader = new List<string>();
        await foreach (var id in DataReaderIds.ReadAsync(database, query, CancellationToken.None))
        {
            byReader.Add(id);
        }

        Assert.StartsWith("COPY (", running, StringComparison.Ordinal);
        Assert.Equal(3, byReader.Count);
        Assert.Equal("", byReader[1]);
        Assert.Equal(byReader, ids);
    }

    /// <summary>
    /// The chunks the builder reads (no string per id) hold the ids the strings hold, and the data reader's, in order:
    /// many chunks, NULLs, multi-byte UTF-8, rows with columns after the id, one of them larger than the reader's buffer.
    /// </summary>
    [Fact]
    public async Task Chunks_hold_the_ids_of_the_strings_and_of_the_data_reader()
    {
        const string query = """
            SELECT CASE WHEN g % 100 = 0 THEN NULL WHEN g % 10 = 0 THEN 'É-' || g ELSE 'SKU-' || g END,
                   repeat('x', CASE WHEN g = 1500 THEN 200000 ELSE g % 3 END), g
            FROM generate_series(1, 3000) AS g ORDER BY g
            """;
        await using var source = SqlIdSource.Create(SqlSources.Options("postgres", postgres.Server.AdminConnectionString(), query: query));
        await using var database = SqlIdDatabase.Create(SqlProvider.Postgres, postgres.Server.AdminConnectionString(), NullLogger.Instance);
        var byReader = new List<string>();
        await foreach (var id in DataReaderIds.ReadAsync(database, query, CancellationToken.None))
        {
            byReader.Add(id);
        }

        var inChunks = new List<string>();
        var chunks = 0;
        await foreach (var chunk in source.ReadChunksAsync(CancellationToken.None))
        {
            chunks++;
            inChunks.AddRange(Enumerable.Range(0, chunk.Count).Select(i => chunk[i].ToString()));
        }

        Assert.Equal(3_000, byReader.Count);
        Assert.Equal("", byReader[99]);
        Assert.Equal("É-10", byReader[9]);
        Assert.Equal(byReader, inChunks);
        Assert.Equal(byReader, await SqlSources.ReadAllAsync(source));
        Assert.Equal(3, chunks);
    }

    /// <summary>Rows already passed on cannot be taken back: a COPY cut half-way fails the read (the builder then fails the build).</summary>
    [Fact]
    public async Task A_COPY_cut_half_way_fails_the_read()
    {
        const string application = "edgeguard-copy-cut";
        await using var source = SqlIdSource.Create(SqlSources.Options("postgres", postgres.Server.AdminConnectionString() + $";Application Name={application}",
            query: "SELECT 'GEN-' || g FROM generate_series(1, 5000000) AS g"));

        var read = 0;
        var failure = await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await foreach (var _ in source.ReadAllAsync(CancellationToken.None))
            {
                if (read++ == 0)
                {
                    Assert.True(await postgres.Server.ScalarAsync<bool>(
                        $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{application}' AND query LIKE 'COPY%'"));
                }
            }
        });

        Assert.True(read < 5_000_000, $"all {read} ids came out of a COPY whose backend was terminated");
        Assert.NotNull(failure);
    }

    /// <summary>
    /// Reads every id of <paramref name="query"/> and, while the first is in hand, what the server runs (or last ran,
    /// for a result it has sent whole already) on the reading connection.
    /// </summary>
    private async Task<(List<string> Ids, string Running, CapturedLogs Logs)> ReadAsync(string database, string query, string application)
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        await using var source = SqlIdSource.Create(
            SqlSources.Options("postgres", postgres.Server.AdminConnectionString(database) + $";Application Name={application}", query: query),
            factory.CreateLogger<SqlIdSource>());
        var ids = new List<string>();
        string? running = null;
        await foreach (var id in source.ReadAllAsync(CancellationToken.None))
        {
            running ??= await postgres.Server.ScalarAsync<string>(
                $"SELECT query FROM pg_stat_activity WHERE application_name = '{application}' ORDER BY state = 'active' DESC, query_start DESC LIMIT 1");
            ids.Add(id);
        }

        return (ids, running!, logs);
    }
}
