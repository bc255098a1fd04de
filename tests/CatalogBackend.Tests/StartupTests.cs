using System.Diagnostics;
using System.Net;
using System.Text;
using CatalogBackend.Tests.Support;

namespace CatalogBackend.Tests;

/// <summary>/health tells the truth about seeding, and product requests wait for it.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Health_is_503_and_product_requests_wait_until_seeding_is_done()
    {
        await using var factory = new CatalogFactory();
        // A named pipe as the products file: seeding blocks on it until the test writes and closes it.
        using (var mkfifo = Process.Start("mkfifo", factory.ProductsFile))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var pipeOpened = false;
        try
        {
            var client = factory.CreateClient();
            using (var health = await client.GetAsync("/health"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
            }

            var pendingGet = client.GetAsync("/products/LATE-1");
            await Task.Delay(300);
            Assert.False(pendingGet.IsCompleted, "a product request was answered before seeding finished");

            await using (var pipe = new StreamWriter(factory.ProductsFile, false, new UTF8Encoding(false)))
            {
                pipeOpened = true;
                await pipe.WriteAsync("LATE-1,Late arrival,1.00\n");
            }

            using var response = await pendingGet.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(new Product("LATE-1", "Late arrival", 1.00m), await response.ReadProductAsync());
            Assert.Equal("Healthy", await client.GetStringAsync("/health"));
        }
        finally
        {
            if (!pipeOpened)
            {
                // Unblock the seeding service's open() so the host can stop.
                await using var pipe = new StreamWriter(factory.ProductsFile);
            }
        }
    }

    [Fact]
    public async Task An_unusable_database_path_stops_start_up_with_a_message_naming_catalog_db()
    {
        using var directory = new TempDirectory();
        var blocker = directory.File("not-a-directory");
        await File.WriteAllTextAsync(blocker, "");
        await using var catalog = new CatalogFactory(directory: directory.Path);
        await using var factory = catalog.WithWebHostBuilder(builder =>
            builder.UseSetting(CatalogOptions.DatabaseKey, Path.Combine(blocker, "products.db")));

        try
        {
            _ = factory.Server; // starts the host; the failing seeding then stops it
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!catalog.Logs.Entries.Any(e => e.Level == LogLevel.Critical && e.Category == typeof(SeedingService).FullName) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var critical = Assert.Single(catalog.Logs.Entries, e => e.Level == LogLevel.Critical && e.Category == typeof(SeedingService).FullName);
        Assert.Contains($"({CatalogOptions.DatabaseKey})", critical.Message, StringComparison.Ordinal);
        Assert.Contains(blocker, critical.Message, StringComparison.Ordinal);
    }
}
