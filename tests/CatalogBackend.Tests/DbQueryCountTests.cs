using System.Net;
using CatalogBackend.Tests.Support;

namespace CatalogBackend.Tests;

/// <summary>catalog_db_queries_total counts exactly the SQL statements run per request.</summary>
public sealed class DbQueryCountTests : IAsyncLifetime
{
    private readonly CatalogFactory _factory = new("KNOWN-1\nKNOWN-2\nKNOWN-3\n");
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.StartAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task AssertQueriesAsync(int expected, Func<Task<HttpResponseMessage>> request, HttpStatusCode status)
    {
        var before = await _client.DbQueriesAsync();
        using var response = await request();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(expected, await _client.DbQueriesAsync() - before);
    }

    [Fact]
    public async Task Seeding_does_not_count()
    {
        Assert.Equal(0, await _client.DbQueriesAsync());
        Assert.Equal(0, _factory.Services.GetRequiredService<CatalogMetrics>().DbQueries);
    }

    [Fact]
    public async Task Each_request_counts_its_statements()
    {
        await AssertQueriesAsync(1, () => _client.GetAsync("/products/KNOWN-1"), HttpStatusCode.OK);
        await AssertQueriesAsync(1, () => _client.GetAsync("/products/UNKNOWN-1"), HttpStatusCode.NotFound);
        await AssertQueriesAsync(1, () => _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/products/KNOWN-1")), HttpStatusCode.OK);
        await AssertQueriesAsync(1, () => _client.PostAsync("/products", Http.Json(new { id = "COUNT-1", name = "n", price = 1 })), HttpStatusCode.Created);
        await AssertQueriesAsync(1, () => _client.PostAsync("/products", Http.Json(new { id = "COUNT-1", name = "n", price = 1 })), HttpStatusCode.Conflict);
        await AssertQueriesAsync(1, () => _client.PutAsync("/products/COUNT-2", Http.Json(new { name = "n", price = 1 })), HttpStatusCode.Created);
        await AssertQueriesAsync(1, () => _client.PutAsync("/products/COUNT-2", Http.Json(new { name = "m", price = 2 })), HttpStatusCode.OK);
        await AssertQueriesAsync(1, () => _client.DeleteAsync("/products/COUNT-2"), HttpStatusCode.NoContent);
        await AssertQueriesAsync(1, () => _client.DeleteAsync("/products/COUNT-2"), HttpStatusCode.NotFound);
        await AssertQueriesAsync(1, () => _client.GetAsync("/products/ids"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rejected_requests_and_service_endpoints_run_no_statement()
    {
        await AssertQueriesAsync(0, () => _client.GetAsync("/products/..%2Fx"), HttpStatusCode.BadRequest);
        await AssertQueriesAsync(0, () => _client.GetAsync("/products/" + new string('a', 65)), HttpStatusCode.BadRequest);
        await AssertQueriesAsync(0, () => _client.DeleteAsync("/products/-x"), HttpStatusCode.BadRequest);
        await AssertQueriesAsync(0, () => _client.PutAsync("/products/-x", Http.Json(new { name = "n", price = 1 })), HttpStatusCode.BadRequest);
        await AssertQueriesAsync(0, () => _client.PutAsync("/products/OK-1", Http.Json("{}")), HttpStatusCode.BadRequest);
        await AssertQueriesAsync(0, () => _client.PostAsync("/products", Http.Json("{nope")), HttpStatusCode.BadRequest);
        await AssertQueriesAsync(0, () => _client.GetAsync("/health"), HttpStatusCode.OK);
        await AssertQueriesAsync(0, () => _client.GetAsync("/metrics"), HttpStatusCode.OK);
    }
}
