using System.Net;
using System.Text;
using CatalogBackend.Tests.Support;

namespace CatalogBackend.Tests;

/// <summary>Seeding from PRODUCTS_FILE at start-up, through the real app and a real SQLite file.</summary>
public sealed class SeedingTests
{
    [Fact]
    public async Task Missing_file_starts_an_empty_catalog()
    {
        await using var factory = new CatalogFactory(productsFileContent: null);
        var client = await factory.StartAsync();

        Assert.Empty(await client.GetIdsAsync());
        (await client.GetAsync("/products/ABC-1")).Dispose();
        Assert.True(File.Exists(factory.DatabasePath));
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("no products file", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Empty_file_seeds_nothing()
    {
        await using var factory = new CatalogFactory("");
        var client = await factory.StartAsync();

        Assert.Empty(await client.GetIdsAsync());
        Assert.True(factory.Logs.Contains("0 lines read, 0 products"));
    }

    [Fact]
    public async Task Bom_crlf_comments_blank_lines_and_whitespace_are_handled()
    {
        await using var factory = new CatalogFactory();
        var content = "# catalog sample\r\n\r\n  ELC-00000001  \r\n\t# indented comment\r\nHOM-00000002\r\n   \r\nTOY-00000003";
        await File.WriteAllBytesAsync(factory.ProductsFile, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(content)]);
        var client = await factory.StartAsync();

        Assert.Equal(["ELC-00000001", "HOM-00000002", "TOY-00000003"], await client.GetIdsAsync());
        var first = await (await client.GetAsync("/products/ELC-00000001")).ReadProductAsync();
        Assert.Equal(new Product("ELC-00000001", CatalogSeeder.DefaultName("ELC-00000001"), CatalogSeeder.DefaultPrice("ELC-00000001")), first);
        Assert.True(factory.Logs.Contains("7 lines read, 3 products, 4 blank or comment, 0 invalid"));
    }

    [Fact]
    public async Task Duplicates_are_stored_once_and_the_first_line_wins()
    {
        await using var factory = new CatalogFactory("A-1,First name,1.50\nB-2\nA-1,Second name,2.50\nB-2\nA-1\n");
        var client = await factory.StartAsync();

        Assert.Equal(["A-1", "B-2"], await client.GetIdsAsync());
        Assert.Equal(new Product("A-1", "First name", 1.50m), await (await client.GetAsync("/products/A-1")).ReadProductAsync());
        Assert.True(factory.Logs.Contains("5 products, 0 blank or comment, 0 invalid; 2 new products"));
    }

    [Fact]
    public async Task Invalid_lines_are_counted_logged_with_line_numbers_and_skipped()
    {
        await using var factory = new CatalogFactory("good-1\n../etc/passwd\na/b\n-leading-dash\ngood-2\n" + new string('x', 65) + "\nok,name,-1\nok,,5\nok,name,abc\ngood-3\n");
        var client = await factory.StartAsync();

        Assert.Equal(["good-1", "good-2", "good-3"], await client.GetIdsAsync());
        var warning = Assert.Single(factory.Logs.Entries, e => e.Message.Contains("invalid lines", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("7 invalid (first at lines 2, 3, 4, 6, 7, 8, 9)", warning.Message, StringComparison.Ordinal);
        await (await client.GetAsync("/products/ok")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Id_name_price_lines_keep_their_name_and_price_and_id_lines_get_deterministic_ones()
    {
        await using var factory = new CatalogFactory("APP-1,Cotton T-Shirt, size M, blue,19.90\nGRO-2, Green Tea ,3\nBKS-3\n");
        var client = await factory.StartAsync();

        Assert.Equal(new Product("APP-1", "Cotton T-Shirt, size M, blue", 19.90m), await (await client.GetAsync("/products/APP-1")).ReadProductAsync());
        Assert.Equal(new Product("GRO-2", "Green Tea", 3m), await (await client.GetAsync("/products/GRO-2")).ReadProductAsync());
        var generated = await (await client.GetAsync("/products/BKS-3")).ReadProductAsync();
        Assert.Equal("Product BKS-3", generated.Name);
        Assert.Equal(CatalogSeeder.DefaultPrice("BKS-3"), generated.Price);
        // The price is exact: "19.90" keeps its trailing zero through SQLite and JSON.
        Assert.Contains("\"price\":19.90", await client.GetStringAsync("/products/APP-1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restarting_is_idempotent_and_keeps_products_created_or_changed_through_the_api()
    {
        using var directory = new TempDirectory();
        await using (var first = new CatalogFactory("SEED-1\nSEED-2,Seeded,5.00\nSEED-3\n", directory.Path))
        {
            var client = await first.StartAsync();
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/products", Http.Json(new { id = "API-1", name = "Created", price = 7.25m }))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/products/SEED-2", Http.Json(new { name = "Renamed", price = 6.00m }))).StatusCode);
        }

        await using var second = new CatalogFactory(productsFileContent: null, directory.Path);
        var restarted = await second.StartAsync();

        Assert.Equal(["API-1", "SEED-1", "SEED-2", "SEED-3"], await restarted.GetIdsAsync());
        Assert.Equal(new Product("API-1", "Created", 7.25m), await (await restarted.GetAsync("/products/API-1")).ReadProductAsync());
        Assert.Equal(new Product("SEED-2", "Renamed", 6.00m), await (await restarted.GetAsync("/products/SEED-2")).ReadProductAsync());
        Assert.True(second.Logs.Contains("3 products, 0 blank or comment, 0 invalid; 0 new products"));
    }

    [Fact]
    public async Task Missing_file_on_restart_keeps_the_existing_catalog()
    {
        using var directory = new TempDirectory();
        await using (var first = new CatalogFactory("KEEP-1\nKEEP-2\n", directory.Path))
        {
            await first.StartAsync();
        }

        File.Delete(Path.Combine(directory.Path, "products.txt"));
        await using var second = new CatalogFactory(productsFileContent: null, directory.Path);
        Assert.Equal(["KEEP-1", "KEEP-2"], await (await second.StartAsync()).GetIdsAsync());
    }

    [Fact]
    public async Task Hundred_thousand_ids_are_loaded_and_all_readable()
    {
        const int count = 100_000;
        var ids = Enumerable.Range(0, count).Select(i => $"SKU-{(i * 7919L) % 1_000_003:D7}-{i % 10}").ToArray();
        await using var factory = new CatalogFactory("# 100k\n" + string.Join('\n', ids) + "\n");
        var client = await factory.StartAsync();

        var listed = await client.GetIdsAsync();
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed);

        // Every one of them reads back from the store with its deterministic product (in-process: 100,000
        // HTTP round trips would dominate the test), and a sample answers GET over HTTP.
        var store = factory.Services.GetRequiredService<CatalogStore>();
        foreach (var id in ids)
        {
            var product = await store.FindAsync(id, CancellationToken.None);
            Assert.Equal(new Product(id, CatalogSeeder.DefaultName(id), CatalogSeeder.DefaultPrice(id)), product);
        }

        foreach (var id in ids.Where((_, i) => i % 100 == 0))
        {
            using var response = await client.GetAsync($"/products/{id}");
            Assert.Equal(id, (await response.ReadProductAsync()).Id);
        }

        Assert.Equal(1 + count + count / 100, await client.DbQueriesAsync());
    }
}
