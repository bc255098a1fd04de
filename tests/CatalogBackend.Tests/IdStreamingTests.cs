using System.Net;
using CatalogBackend.Tests.Support;

namespace CatalogBackend.Tests;

/// <summary>GET /products/ids streams a million ids from the SQLite reader instead of buffering them.</summary>
public sealed class IdStreamingTests
{
    private const int Count = 1_000_000;

    [Fact]
    public async Task A_million_ids_stream_with_first_bytes_before_the_last_id_is_read()
    {
        // Filled in one native statement (seeding speed has its own test); no products file.
        await using var factory = new CatalogFactory();
        var store = new CatalogStore(new CatalogOptions(factory.ProductsFile, factory.DatabasePath), new CatalogMetrics());
        store.EnsureSchema();
        using (var connection = store.OpenMaintenanceConnection())
        using (var fill = connection.CreateCommand())
        {
            fill.CommandText = """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $count)
                INSERT INTO products (id, name, price) SELECT printf('ID-%08d', (i * 7777777) % 10000019), 'n', '1' FROM n;
                """;
            fill.Parameters.AddWithValue("$count", Count);
            Assert.Equal(Count, fill.ExecuteNonQuery());
        }

        var client = await factory.StartAsync();
        using var response = await client.GetAsync("/products/ids", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        // The first id is here while the server is still reading: the response is bounded by
        // back-pressure, so the server cannot have reached the end of a million ids.
        var first = await reader.ReadLineAsync();
        Assert.Equal("ID-00000000", first);
        await Task.Delay(200);
        Assert.False(factory.Logs.Contains("Streamed "), "the server finished before the client read past the first id");

        var count = 1;
        var previous = first;
        while (await reader.ReadLineAsync() is { } line)
        {
            Assert.True(string.CompareOrdinal(previous, line) < 0, $"{line} after {previous}");
            previous = line;
            count++;
        }

        Assert.Equal(Count, count);
        var log = Assert.Single(factory.Logs.Entries, e => e.Message.StartsWith("Streamed ", StringComparison.Ordinal));
        Assert.StartsWith($"Streamed {Count} product ids", log.Message, StringComparison.Ordinal);
    }
}
