using System.Net;
using System.Text;
using CatalogBackend.Tests.Support;

namespace CatalogBackend.Tests;

/// <summary>One catalog for the class, seeded with a few products; each test uses ids of its own.</summary>
public sealed class SeededCatalog : IAsyncLifetime
{
    public CatalogFactory Factory { get; } = new("# sample\nELC-00000001,Wireless Mouse,24.99\nHOM-00000002\nTOY-00000003,Kite,9.5\n");

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await Factory.StartAsync();

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

public sealed class ProductEndpointTests(SeededCatalog catalog) : IClassFixture<SeededCatalog>
{
    private readonly HttpClient _client = catalog.Client;

    public static TheoryData<string> InvalidIds => new()
    {
        "-starts-with-dash",
        ".hidden",
        "has%20space",
        "semi%3Bcolon",
        "a%2Fb",
        "line%0A",
        "%C3%A9t%C3%A9",
        new string('a', 65),
    };

    [Fact]
    public async Task Get_returns_the_product_as_camel_case_json()
    {
        using var response = await _client.GetAsync("/products/ELC-00000001");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"id":"ELC-00000001","name":"Wireless Mouse","price":24.99}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_of_a_64_character_id_is_looked_up()
    {
        using var response = await _client.GetAsync("/products/" + new string('b', 64));
        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("The product does not exist.", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Head_answers_like_get()
    {
        using var found = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/products/HOM-00000002"));
        using var missing = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/products/HOM-404"));
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public async Task Invalid_ids_are_400_on_every_endpoint(string id)
    {
        var url = "/products/" + id;
        await (await _client.GetAsync(url)).AssertFieldErrorAsync("id");
        await (await _client.PutAsync(url, Http.Json(new { name = "x", price = 1 }))).AssertFieldErrorAsync("id");
        await (await _client.DeleteAsync(url)).AssertFieldErrorAsync("id");
    }

    [Fact]
    public async Task Post_creates_with_201_and_location_then_get_reads_it()
    {
        using var created = await _client.PostAsync("/products", Http.Json("""{"id":"NEW-POST-1","name":"Desk Lamp","price":39.00}"""));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/products/NEW-POST-1", created.Headers.Location?.OriginalString);
        Assert.Equal(new Product("NEW-POST-1", "Desk Lamp", 39.00m), await created.ReadProductAsync());
        Assert.Equal(new Product("NEW-POST-1", "Desk Lamp", 39.00m), await (await _client.GetAsync("/products/NEW-POST-1")).ReadProductAsync());
    }

    [Fact]
    public async Task Post_accepts_the_limits_a_200_character_name_and_a_zero_price()
    {
        var name = new string('n', 200);
        using var created = await _client.PostAsync("/products", Http.Json(new { id = "NEW-POST-LIMITS", name, price = 0 }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new Product("NEW-POST-LIMITS", name, 0m), await created.ReadProductAsync());
    }

    [Fact]
    public async Task Post_of_an_existing_id_is_409_and_changes_nothing()
    {
        using var conflict = await _client.PostAsync("/products", Http.Json(new { id = "TOY-00000003", name = "Other", price = 1 }));

        await conflict.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(new Product("TOY-00000003", "Kite", 9.5m), await (await _client.GetAsync("/products/TOY-00000003")).ReadProductAsync());
    }

    [Theory]
    [InlineData("""{"id":"../x","name":"n","price":1}""", "id")]
    [InlineData("""{"id":"a/b","name":"n","price":1}""", "id")]
    [InlineData("""{"id":"","name":"n","price":1}""", "id")]
    [InlineData("""{"id":42,"name":"n","price":1}""", "id")]
    [InlineData("""{"name":"n","price":1}""", "id")]
    [InlineData("""{"id":"BAD-NAME-1","name":"","price":1}""", "name")]
    [InlineData("""{"id":"BAD-NAME-2","name":"   ","price":1}""", "name")]
    [InlineData("""{"id":"BAD-NAME-3","name":null,"price":1}""", "name")]
    [InlineData("""{"id":"BAD-NAME-4","price":1}""", "name")]
    [InlineData("""{"id":"BAD-NAME-5","name":["x"],"price":1}""", "name")]
    [InlineData("""{"id":"BAD-PRICE-1","name":"n","price":-0.01}""", "price")]
    [InlineData("""{"id":"BAD-PRICE-2","name":"n","price":"12.50"}""", "price")]
    [InlineData("""{"id":"BAD-PRICE-3","name":"n","price":"abc"}""", "price")]
    [InlineData("""{"id":"BAD-PRICE-4","name":"n"}""", "price")]
    [InlineData("""{"id":"BAD-PRICE-5","name":"n","price":1e999}""", "price")]
    [InlineData("""not json""", "body")]
    [InlineData("""{"id":"BAD-BODY-1","name":"n","price":1""", "body")]
    [InlineData("""["BAD-BODY-2","n",1]""", "body")]
    [InlineData("", "body")]
    public async Task Post_with_an_invalid_body_is_400_with_the_field_in_error(string body, string field)
    {
        var before = await _client.DbQueriesAsync();
        using var response = await _client.PostAsync("/products", Http.Json(body));

        await response.AssertFieldErrorAsync(field);
        Assert.Equal(before, await _client.DbQueriesAsync());
    }

    [Fact]
    public async Task Post_reports_every_invalid_field_at_once()
    {
        using var response = await _client.PostAsync("/products", Http.Json("""{"id":"a b","name":"","price":-1}"""));
        await response.AssertFieldErrorAsync("id");
        await response.AssertFieldErrorAsync("name");
        await response.AssertFieldErrorAsync("price");
        Assert.Contains("at most 200", await (await _client.PostAsync("/products",
            Http.Json(new { id = "LONG-NAME", name = new string('n', 201), price = 1 }))).AssertFieldErrorAsync("name"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_400_with_or_without_a_content_length()
    {
        var padding = new string(' ', ProductRequest.MaxBodyBytes);
        var json = $$"""{"id":"BIG-1",{{padding}}"name":"n","price":1}""";

        using var withLength = await _client.PostAsync("/products", Http.Json(json));
        Assert.Contains("64", await withLength.AssertFieldErrorAsync("body"), StringComparison.Ordinal);

        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/products/BIG-1") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var withoutLength = await _client.SendAsync(request);
        await withoutLength.AssertFieldErrorAsync("body");

        await (await _client.GetAsync("/products/BIG-1")).AssertProblemAsync(HttpStatusCode.NotFound);
        // Just under the limit is fine.
        var fits = $$"""{"id":"BIG-2","name":"n","price":1}""";
        fits = fits.Insert(1, new string(' ', ProductRequest.MaxBodyBytes - fits.Length));
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/products", Http.Json(fits))).StatusCode);
    }

    [Fact]
    public async Task Put_creates_with_201_then_replaces_with_200()
    {
        using var created = await _client.PutAsync("/products/NEW-PUT-1", Http.Json(new { name = "Mug", price = 8.5m }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/products/NEW-PUT-1", created.Headers.Location?.OriginalString);
        Assert.Equal(new Product("NEW-PUT-1", "Mug", 8.5m), await created.ReadProductAsync());

        using var replaced = await _client.PutAsync("/products/NEW-PUT-1", Http.Json(new { id = "NEW-PUT-1", name = "Big Mug", price = 10m }));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(new Product("NEW-PUT-1", "Big Mug", 10m), await replaced.ReadProductAsync());
        Assert.Equal(new Product("NEW-PUT-1", "Big Mug", 10m), await (await _client.GetAsync("/products/NEW-PUT-1")).ReadProductAsync());
    }

    [Fact]
    public async Task Put_with_a_body_id_that_differs_from_the_path_is_400()
    {
        using var response = await _client.PutAsync("/products/HOM-00000002", Http.Json(new { id = "OTHER-1", name = "n", price = 1 }));
        Assert.Contains("match", await response.AssertFieldErrorAsync("id"), StringComparison.Ordinal);
        Assert.Equal("Product HOM-00000002", (await (await _client.GetAsync("/products/HOM-00000002")).ReadProductAsync()).Name);
    }

    [Theory]
    [InlineData("""{"name":"","price":1}""", "name")]
    [InlineData("""{"name":"n","price":-5}""", "price")]
    [InlineData("""{"name":"n","price":"5"}""", "price")]
    [InlineData("""{"id":"../x","name":"n","price":1}""", "id")]
    [InlineData("""oops""", "body")]
    public async Task Put_with_an_invalid_body_is_400(string body, string field)
    {
        using var response = await _client.PutAsync("/products/PUT-INVALID", Http.Json(body));
        await response.AssertFieldErrorAsync(field);
        await (await _client.GetAsync("/products/PUT-INVALID")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_is_204_then_404()
    {
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/products", Http.Json(new { id = "DEL-1", name = "n", price = 1 }))).StatusCode);

        using var deleted = await _client.DeleteAsync("/products/DEL-1");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await _client.GetAsync("/products/DEL-1")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.DeleteAsync("/products/DEL-1")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Ids_lists_every_id_one_per_line_as_text_plain()
    {
        using var response = await _client.GetAsync("/products/ids");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        var ids = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ids.Distinct().Order(StringComparer.Ordinal), ids);
        Assert.Contains("ELC-00000001", ids);
        Assert.Contains("HOM-00000002", ids);
        Assert.Contains("TOY-00000003", ids);
    }

    [Fact]
    public async Task Metrics_and_health_answer()
    {
        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Contains("# TYPE catalog_db_queries_total counter", metrics, StringComparison.Ordinal);
        Assert.Equal("Healthy", await _client.GetStringAsync("/health"));
    }

    [Fact]
    public async Task Unknown_routes_are_404_problem_details()
    {
        await (await _client.GetAsync("/nothing-here")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync("/products/a/b")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
