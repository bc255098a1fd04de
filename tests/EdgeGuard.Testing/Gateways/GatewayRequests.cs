using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EdgeGuard.Testing.Gateways;

/// <summary>What tests ask a gateway, over any client (in-process, Kestrel or a process), and how they read its answers.</summary>
public static class GatewayRequests
{
    /// <summary>What answered (<c>X-EdgeGuard-Source</c>: bloom, cache, upstream…), or "(none)".</summary>
    public static string Source(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-EdgeGuard-Source", out var values) ? string.Join(",", values) : "(none)";

    public static string? MediaType(this HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType;

    /// <summary>GET <paramref name="path"/> with request headers of the test's (conditions, ranges, cache directives, forwarding).</summary>
    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return client.SendAsync(request);
    }

    /// <summary>Reads product <paramref name="id"/>: its status and what answered it.</summary>
    public static async Task<(HttpStatusCode Status, string Source)> ReadAsync(this HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/products/{id}");
        return (response.StatusCode, response.Source());
    }

    /// <summary>Creates product <paramref name="id"/> through the gateway (<c>POST /products</c>).</summary>
    public static Task<HttpResponseMessage> CreateProductAsync(this HttpClient client, string id) =>
        client.PostAsJsonAsync("/products", new { id, name = "Product " + id, price = 12.5 });

    /// <summary>Creates product <paramref name="id"/> and checks that the gateway answered 201.</summary>
    public static async Task AssertCreatedAsync(this HttpClient client, string id)
    {
        using var created = await client.CreateProductAsync(id);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"creating {id} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
    }

    /// <summary>Creates product <paramref name="id"/> until the gateway takes the write (201): one refused while a dependency is down goes through once it is back.</summary>
    public static Task CreateProductOnceAcceptedAsync(this HttpClient client, string id, TimeSpan within, string failure) =>
        Eventually.TrueAsync(async () =>
        {
            using var created = await client.CreateProductAsync(id);
            return created.StatusCode == HttpStatusCode.Created;
        }, within, failure);

    /// <summary>The filter's <c>/bloom/stats</c>.</summary>
    public static async Task<JsonElement> StatsAsync(this HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/bloom/stats")).RootElement;

    /// <summary><c>/health/ready</c>: its status and body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> ReadinessAsync(this HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 saying <paramref name="status"/> (Healthy, Degraded); fails with its last answer after <paramref name="timeout"/>.</summary>
    public static async Task WaitForReadinessAsync(this HttpClient client, string status, TimeSpan timeout)
    {
        var last = await Eventually.ValueAsync(client.ReadinessAsync, readiness => readiness.Status == HttpStatusCode.OK && readiness.Body == status, timeout);
        Assert.True(last.Status == HttpStatusCode.OK && last.Body == status,
            $"/health/ready did not say {status} within {timeout.TotalSeconds} s; last: {(int)last.Status} {last.Body}");
    }

    /// <summary>Waits until <c>/health/ready</c> answers 2xx (the filter has loaded); fails with its last answer after <paramref name="within"/> (20 s).</summary>
    public static async Task WaitUntilReadyAsync(this HttpClient client, TimeSpan? within = null)
    {
        var timeout = within ?? TimeSpan.FromSeconds(20);
        var last = await Eventually.ValueAsync(client.ReadinessAsync, readiness => (int)readiness.Status is >= 200 and < 300, timeout);
        if ((int)last.Status is < 200 or >= 300)
        {
            throw new TimeoutException($"The gateway did not become ready within {timeout.TotalSeconds} s: {(int)last.Status} {last.Body}");
        }
    }
}
