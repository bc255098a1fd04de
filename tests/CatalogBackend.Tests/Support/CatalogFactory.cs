using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CatalogBackend.Tests.Support;

/// <summary>
/// The real catalog over a real SQLite file, in memory over HTTP. Each factory gets its own directory
/// (or shares one passed in, to restart a catalog over the same database).
/// </summary>
public sealed class CatalogFactory : WebApplicationFactory<Program>
{
    private readonly TempDirectory? _ownedDirectory;

    public CatalogFactory(string? productsFileContent = null, string? directory = null)
    {
        if (directory is null)
        {
            _ownedDirectory = new TempDirectory();
            directory = _ownedDirectory.Path;
        }

        Directory = directory;
        ProductsFile = Path.Combine(directory, "products.txt");
        DatabasePath = Path.Combine(directory, "products.db");
        if (productsFileContent is not null)
        {
            File.WriteAllText(ProductsFile, productsFileContent, new UTF8Encoding(false));
        }
    }

    public string Directory { get; }

    public string ProductsFile { get; }

    public string DatabasePath { get; }

    public LogCapture Logs { get; } = new();

    /// <summary>A client for a catalog that has finished seeding.</summary>
    public async Task<HttpClient> StartAsync()
    {
        var client = CreateClient();
        await WaitUntilHealthyAsync(client);
        return client;
    }

    public static async Task WaitUntilHealthyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("/health");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the catalog did not finish seeding within 60 s");
            await Task.Delay(20);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(CatalogOptions.ProductsFileKey, ProductsFile);
        builder.UseSetting(CatalogOptions.DatabaseKey, DatabasePath);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownedDirectory?.Dispose();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}
