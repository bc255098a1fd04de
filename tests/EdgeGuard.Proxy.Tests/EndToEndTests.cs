using System.Net;
using System.Text.RegularExpressions;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// The gateway in front of the real catalog (SQLite, real Kestrel, real HTTP), 100,000 products loaded:
/// no product is ever rejected, and an attack of missing ids barely reaches the database.
/// </summary>
public sealed partial class EndToEndTests : IAsyncLifetime
{
    private const int ProductCount = 100_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("edgeguard-e2e-").FullName;
    private readonly List<string> _ids = Enumerable.Range(0, ProductCount).Select(i => $"E2E-{i:D6}-{(char)('A' + i % 26)}").ToList();
    private WebApplicationFactory<CatalogBackend.Program> _catalog = null!;
    private HttpClient _catalogClient = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var productsFile = Path.Combine(_directory, "products.txt");
        await File.WriteAllLinesAsync(productsFile, _ids);
        _catalog = new WebApplicationFactory<CatalogBackend.Program>().WithWebHostBuilder(builder => builder
            .UseSetting("PRODUCTS_FILE", productsFile)
            .UseSetting("CATALOG_DB", Path.Combine(_directory, "products.db"))
            .UseSetting("Logging:LogLevel:Default", "Warning"));
        _catalog.UseKestrel(0);
        _catalog.StartServer();
        var catalogUrl = _catalog.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _catalogClient = new HttpClient { BaseAddress = new Uri(catalogUrl) };
        await WaitForAsync(_catalogClient, "/health");

        // The filter is built from the catalog's own id stream: the source of truth.
        _gateway = new GatewayFactory(catalogUrl, [], new Dictionary<string, string?>
        {
            ["EdgeGuard:Bloom:LoadFromCatalog"] = "true",
            ["PRODUCTS_FILE"] = "",
        });
        _client = await _gateway.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        _catalogClient.Dispose();
        await _catalog.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Every_product_answers_200_and_missing_ids_barely_touch_the_database()
    {
        var notOk = 0;
        var sample = new List<string>();
        await Parallel.ForEachAsync(_ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
        {
            using var response = await _client.GetAsync($"/products/{id}", ct);
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
        var queriesBefore = await DbQueriesAsync();
        var rejected = 0;
        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
        {
            using var response = await _client.GetAsync($"/products/{id}", ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            if (response.Source() == "bloom")
            {
                Interlocked.Increment(ref rejected);
            }
        });
        var queries = await DbQueriesAsync() - queriesBefore;

        Assert.True(queries <= 200, $"{queries} database queries for 10,000 missing ids (at most 2% allowed)");
        Assert.Equal(10_000 - rejected, queries); // every false positive costs exactly one query, nothing else does
    }

    private async Task<long> DbQueriesAsync()
    {
        var metrics = await _catalogClient.GetStringAsync("/metrics");
        return long.Parse(QueriesLine().Match(metrics).Groups[1].Value);
    }

    private static async Task WaitForAsync(HttpClient client, string path)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                using var response = await client.GetAsync(path);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{client.BaseAddress}{path} never answered 200");
    }

    [GeneratedRegex(@"^catalog_db_queries_total (\d+)", RegexOptions.Multiline)]
    private static partial Regex QueriesLine();
}
