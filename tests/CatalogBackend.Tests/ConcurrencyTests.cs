using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using CatalogBackend.Tests.Support;

namespace CatalogBackend.Tests;

/// <summary>32 writers and readers at once on one SQLite file: no error, no lost write.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Thirty_two_parallel_writers_and_readers_lose_nothing()
    {
        const int workers = 32;
        var duration = TimeSpan.FromSeconds(3);
        await using var factory = new CatalogFactory(string.Join('\n', Enumerable.Range(0, 100).Select(i => $"SHARED-{i}")));
        var client = await factory.StartAsync();

        var failures = new ConcurrentQueue<string>();
        var created = new ConcurrentDictionary<string, Product>();
        var lastPut = new ConcurrentDictionary<string, Product>();
        var deleted = new ConcurrentBag<string>();
        long requests = 0;
        var stopwatch = Stopwatch.StartNew();

        async Task Expect(HttpResponseMessage response, HttpStatusCode status, string what)
        {
            using (response)
            {
                Interlocked.Increment(ref requests);
                if (response.StatusCode != status)
                {
                    failures.Enqueue($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var own = $"W{w}-OWN";
            for (var n = 0; stopwatch.Elapsed < duration; n++)
            {
                // Each worker owns its ids, so the expected final state is known exactly.
                var id = $"W{w}-N{n}";
                var product = new Product(id, $"Worker {w} item {n}", n + 0.25m);
                await Expect(await client.PostAsync("/products", Http.Json(product)), HttpStatusCode.Created, $"POST {id}");
                created[id] = product;

                var put = new Product(own, $"Worker {w} revision {n}", n);
                await Expect(await client.PutAsync($"/products/{own}", Http.Json(put)), n == 0 ? HttpStatusCode.Created : HttpStatusCode.OK, $"PUT {own}");
                lastPut[own] = put;

                if (n % 5 == 4)
                {
                    var victim = $"W{w}-N{n - 1}";
                    await Expect(await client.DeleteAsync($"/products/{victim}"), HttpStatusCode.NoContent, $"DELETE {victim}");
                    created.TryRemove(victim, out _);
                    deleted.Add(victim);
                }

                await Expect(await client.GetAsync($"/products/SHARED-{random.Next(100)}"), HttpStatusCode.OK, "GET shared");
                await Expect(await client.GetAsync($"/products/{id}"), HttpStatusCode.OK, $"GET {id}");
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        Assert.Empty(failures);
        Assert.True(created.Count > workers * 5, $"only {created.Count} products created");
        foreach (var (id, expected) in created.Concat(lastPut))
        {
            Assert.Equal(expected, await factory.Services.GetRequiredService<CatalogStore>().FindAsync(id, CancellationToken.None));
        }

        foreach (var id in deleted)
        {
            Assert.Null(await factory.Services.GetRequiredService<CatalogStore>().FindAsync(id, CancellationToken.None));
        }

        var ids = await client.GetIdsAsync();
        Assert.Equal(100 + created.Count + lastPut.Count, ids.Count);
        Assert.Equal(requests + 1 + created.Count + lastPut.Count + deleted.Count, await client.DbQueriesAsync());
    }
}
