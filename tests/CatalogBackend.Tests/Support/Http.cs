using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CatalogBackend.Tests.Support;

public static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(object value) => Json(JsonSerializer.Serialize(value));

    public static async Task<Product> ReadProductAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var product = await response.Content.ReadFromJsonAsync<Product>();
        Assert.NotNull(product);
        return product;
    }

    /// <summary>Asserts a problem+json answer with this status; returns the parsed problem.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>Asserts a 400 validation problem with an error for <paramref name="field"/>.</summary>
    public static async Task<string> AssertFieldErrorAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}' in {errors}");
        return messages[0].GetString()!;
    }

    public static async Task<double> DbQueriesAsync(this HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith("catalog_db_queries_total ", StringComparison.Ordinal));
        return double.Parse(line["catalog_db_queries_total ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<List<string>> GetIdsAsync(this HttpClient client)
    {
        using var response = await client.GetAsync("/products/ids");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
