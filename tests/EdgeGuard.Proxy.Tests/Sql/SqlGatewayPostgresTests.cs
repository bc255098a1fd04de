using System.Net;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// End to end: the real gateway in front of an existing catalog whose API has no id listing, learning ids from
/// the catalog's PostgreSQL database (the only source): everything at start, new rows within the poll interval,
/// nothing lost across an outage of the database.
/// </summary>
[Integration]
[Collection(PostgresCollection.Name)]
public sealed class SqlGatewayPostgresTests(PostgresFixture postgres)
{
    private async Task<SqlGatewayBed> StartGatewayAsync(string database, bool waitUntilReady = true) =>
        await SqlGatewayBed.StartAsync(
            SqlGatewayBed.Settings("postgres", postgres.ReaderConnectionString(database), SqlSources.PostgresIncrementalQuery), waitUntilReady);

    [Fact]
    public async Task Every_id_in_the_database_is_let_through_and_a_missing_one_is_rejected()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var bed = await StartGatewayAsync(database);

        // Every seeded id, in the filter itself; a sample of them over HTTP.
        var rejected = Enumerable.Range(0, PostgresFixture.SeededRows).Select(PostgresFixture.SeededId).Where(id => !bed.Filter.MightContain(id)).ToList();
        Assert.Empty(rejected);
        foreach (var index in Enumerable.Range(0, 100).Select(i => i * 997 % PostgresFixture.SeededRows))
        {
            var (status, source) = await bed.GetAsync(PostgresFixture.SeededId(index));
            Assert.True(status == HttpStatusCode.OK && source == AnswerSource.Upstream, $"{PostgresFixture.SeededId(index)}: {(int)status} {source}");
        }

        foreach (var missing in new[] { "SKU-900001", "NEW-NEVER", "MISSING-1" })
        {
            var (status, source) = await bed.GetAsync(missing);
            Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), (status, source));
        }

        Assert.Equal(PostgresFixture.SeededRows, await bed.CurrentItemsAsync());
        Assert.Equal(0, bed.Upstream.CallsTo("/products/ids")); // the API lists nothing, and nothing asked it to
        Assert.Equal(0, bed.Upstream.CallsTo("/products/SKU-900001"));
    }

    [Fact]
    public async Task A_row_inserted_after_start_is_served_within_the_poll_interval()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var bed = await StartGatewayAsync(database);
        await bed.WaitForFirstPollAsync();
        Assert.Equal(AnswerSource.Bloom, (await bed.GetAsync("NEW-1")).Source);

        await postgres.InsertAsync(database, ["NEW-1"]);
        var took = await bed.TimeUntilServedAsync("NEW-1", TimeSpan.FromSeconds(10));

        Assert.True(took <= SqlGatewayBed.PollInterval + TimeSpan.FromSeconds(1), $"learned after {took.TotalMilliseconds:F0} ms");
        Assert.Equal(1, bed.Upstream.CallsTo("/products/NEW-1")); // served by the catalog once, then from the cache
    }

    /// <summary>
    /// The database goes away (stopped), comes back where the gateway cannot reach it (Unix socket only) and takes
    /// new rows there, then comes back for real: the gateway kept serving and rejecting, said Degraded (200) while
    /// it could not poll, and learned the rows written meanwhile once it could.
    /// </summary>
    [Fact]
    public async Task A_database_outage_degrades_readiness_keeps_the_filter_and_loses_nothing()
    {
        var database = await postgres.CreateCatalogAsync();
        await using var bed = await StartGatewayAsync(database);
        await bed.WaitForFirstPollAsync();
        await bed.WaitForReadinessAsync("Healthy", TimeSpan.FromSeconds(5));
        try
        {
            await postgres.Server.StopAsync();
            await bed.WaitForReadinessAsync("Degraded", TimeSpan.FromSeconds(10));
            Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await bed.GetAsync(PostgresFixture.SeededId(41)));
            Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await bed.GetAsync("DOWN-1"));

            await postgres.Server.StartAsync(listenOnTcp: false);
            await postgres.InsertAsync(database, ["DOWN-1", "DOWN-2", "DOWN-3"], overSocket: true);
            Assert.True(bed.SqlPolls.ConsecutiveFailures > 0);
            Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await bed.GetAsync("DOWN-1"));
            Assert.Equal((HttpStatusCode.OK, "Degraded"), await bed.ReadinessAsync());
            await postgres.Server.StopAsync();
            await postgres.Server.StartAsync();
            Assert.Equal(3L, await postgres.Server.ScalarAsync<long>("SELECT count(*) FROM products WHERE sku LIKE 'DOWN-%'", database));

            foreach (var id in new[] { "DOWN-1", "DOWN-2", "DOWN-3" })
            {
                await bed.TimeUntilServedAsync(id, TimeSpan.FromSeconds(15));
            }

            await bed.WaitForReadinessAsync("Healthy", TimeSpan.FromSeconds(5));
            Assert.Equal(0, bed.SqlPolls.ConsecutiveFailures);
            Assert.Equal(PostgresFixture.SeededRows + 3, await bed.CurrentItemsAsync());
            Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await bed.GetAsync("DOWN-4"));
        }
        finally
        {
            if (!postgres.Server.IsRunning)
            {
                await postgres.Server.StartAsync();
            }
        }
    }

    /// <summary>A database that is only unreachable at start is retried (the filter loads once it is back), not fatal.</summary>
    [Fact]
    public async Task A_database_unreachable_at_start_is_retried_and_nothing_is_rejected_meanwhile()
    {
        var database = await postgres.CreateCatalogAsync();
        await postgres.Server.StopAsync();
        try
        {
            await using var bed = await StartGatewayAsync(database, waitUntilReady: false);

            var (status, _) = await bed.ReadinessAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await bed.GetAsync("NEW-UNKNOWN")); // not loaded: forwarded

            await postgres.Server.StartAsync();
            await GatewayFactory.WaitUntilReadyAsync(bed.Client);

            Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await bed.GetAsync("NEW-STILL-UNKNOWN"));
            Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await bed.GetAsync(PostgresFixture.SeededId(7)));
        }
        finally
        {
            if (!postgres.Server.IsRunning)
            {
                await postgres.Server.StartAsync();
            }
        }
    }
}
