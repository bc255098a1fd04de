namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// The gateway in front of the real catalog (SQLite, real Kestrel, real HTTP), 100,000 products loaded:
/// no product is ever rejected, and an attack of missing ids barely reaches the database.
/// </summary>
public sealed class EndToEndTests
{
    private const int ProductCount = 100_000;
    private static readonly string[] Ids = [.. Enumerable.Range(0, ProductCount).Select(i => $"E2E-{i:D6}-{(char)('A' + i % 26)}")];

    [Fact]
    public async Task Every_product_answers_200_and_missing_ids_barely_touch_the_database()
    {
        await using var catalog = await CatalogServer.StartAsync(Ids);
        // The filter is built from the catalog's own id stream: the source of truth.
        await using var gateway = Gateways.Build().WithUpstream(catalog.Url).LoadingFromCatalog().InProcess();
        var client = await gateway.CreateReadyClientAsync();

        var notOk = 0;
        var sample = new List<string>();
        await Parallel.ForEachAsync(Ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
        {
            using var response = await client.GetAsync($"/products/{id}", ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref notOk);
                lock (sample)
                {
                    sample.Add($"{id}: {(int)response.StatusCode} {response.Source()}");
                }
            }
        });
        Assert.True(notOk == 0, $"{notOk} existing products were not served: {string.Join("; ", sample.Take(5))}");

        var missing = Enumerable.Range(0, 10_000).Select(_ => $"MISS-{Guid.NewGuid():N}").ToList();
        var queriesBefore = await catalog.DbQueriesAsync();
        var rejected = 0;
        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
        {
            using var response = await client.GetAsync($"/products/{id}", ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            if (response.Source() == "bloom")
            {
                Interlocked.Increment(ref rejected);
            }
        });
        var queries = await catalog.DbQueriesAsync() - queriesBefore;

        Assert.True(queries <= 200, $"{queries} database queries for 10,000 missing ids (at most 2% allowed)");
        Assert.Equal(10_000 - rejected, queries); // every false positive costs exactly one query, nothing else does
    }
}
