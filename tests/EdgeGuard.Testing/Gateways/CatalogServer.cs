using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EdgeGuard.Testing.Gateways;

/// <summary>
/// The real catalog (src/CatalogBackend: SQLite, real Kestrel, real HTTP) seeded with <paramref name="ids"/>,
/// in a temporary directory. Its own <c>catalog_db_queries_total</c> counts what reads cost the database.
/// </summary>
public sealed partial class CatalogServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgeguard-catalog-").FullName;
    private WebApplicationFactory<CatalogBackend.Program> _catalog = null!;

    private CatalogServer()
    {
    }

    public string Url { get; private set; } = "";

    public HttpClient Client { get; private set; } = null!;

    public static async Task<CatalogServer> StartAsync(IEnumerable<string> ids)
    {
        var server = new CatalogServer();
        var productsFile = Path.Combine(server._directory, "products.txt");
        await File.WriteAllLinesAsync(productsFile, ids);
        server._catalog = new WebApplicationFactory<CatalogBackend.Program>().WithWebHostBuilder(builder => builder
            .UseSetting("PRODUCTS_FILE", productsFile)
            .UseSetting("CATALOG_DB", Path.Combine(server._directory, "products.db"))
            .UseSetting("Logging:LogLevel:Default", "Warning")
            // Never the catalog's default port: other catalogs (tests in parallel, a run.sh) may hold it.
            .UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0"));
        server.Url = server._catalog.StartOnLoopback();
        server.Client = new HttpClient { BaseAddress = new Uri(server.Url) };
        await server.WaitUntilHealthyAsync();
        return server;
    }

    public async Task<long> DbQueriesAsync()
    {
        var metrics = await Client.GetStringAsync("/metrics");
        return long.Parse(QueriesLine().Match(metrics).Groups[1].Value);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _catalog.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                using var response = await Client.GetAsync("/health");
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

        throw new TimeoutException($"The catalog at {Url} never answered /health with 200.");
    }

    [GeneratedRegex(@"^catalog_db_queries_total (\d+)", RegexOptions.Multiline)]
    private static partial Regex QueriesLine();
}
