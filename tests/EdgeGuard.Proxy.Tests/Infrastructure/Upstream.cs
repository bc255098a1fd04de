using System.Security.Cryptography;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>A WireMock catalog, and what reached it counted from its own request log.</summary>
public static class Upstream
{
    /// <summary>The path the gateway's active health check probes (the catalog's own <c>/health</c>).</summary>
    public const string HealthPath = "/health";

    /// <summary>A WireMock server standing in for the catalog: it answers the gateway's health probe, as the catalog does.</summary>
    public static WireMockServer StartCatalog()
    {
        var server = WireMockServer.Start();
        StubHealth(server);
        return server;
    }

    /// <summary>Forgets every stub and the request log, as <c>Reset</c> does, and answers the health probe again.</summary>
    public static void ResetCatalog(this WireMockServer server)
    {
        server.Reset();
        StubHealth(server);
    }

    private static void StubHealth(WireMockServer server) =>
        server.Given(Request.Create().WithPath(HealthPath).UsingGet())
            .AtPriority(int.MaxValue)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody("Healthy"));

    /// <summary>The catalog knows product <paramref name="id"/>: GET answers 200 JSON (by default <c>{"id":"…"}</c>); replaces an earlier stub of the id.</summary>
    public static void StubProduct(this WireMockServer server, string id, string? body = null, TimeSpan? delay = null)
    {
        var answer = Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body ?? $$"""{"id":"{{id}}"}""");
        server.Given(Request.Create().WithPath("/products/" + id).UsingGet()).WithGuid(StubOf(id))
            .RespondWith(delay is { } wait ? answer.WithDelay(wait) : answer);
    }

    /// <summary>The catalog does not know <paramref name="id"/>: GET answers 404 problem+json; replaces an earlier stub of the id.</summary>
    public static void StubMissing(this WireMockServer server, string id) =>
        server.Given(Request.Create().WithPath("/products/" + id).UsingGet()).WithGuid(StubOf(id))
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/problem+json")
                .WithBody("""{"title":"Not Found","status":404}"""));

    /// <summary>The catalog's id list (<c>GET /products/ids</c>, what a gateway loading from the catalog reads).</summary>
    public static void StubIdList(this WireMockServer server, IEnumerable<string> ids) =>
        server.Given(Request.Create().WithPath("/products/ids").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody(string.Concat(ids.Select(id => id + "\n"))));

    public static int CallsTo(this WireMockServer server, string path) =>
        server.LogEntries.Count(e => e.RequestMessage?.Path == path);

    /// <summary>Requests that reached the catalog, health probes aside.</summary>
    public static int Calls(this WireMockServer server) => server.LogEntries.Count(e => e.RequestMessage?.Path != HealthPath);

    /// <summary>
    /// WireMock logs a request once it has answered it, so a delayed stub's calls show up late: waits until
    /// at least <paramref name="expected"/> are logged (or the time is up) and returns the count.
    /// </summary>
    public static async Task<int> CallsToEventuallyAsync(this WireMockServer server, string path, int expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (server.CallsTo(path) < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(100); // and a moment more, so that one too many would show
        return server.CallsTo(path);
    }

    /// <summary>One mapping per product id, so that stubbing the id again replaces its answer.</summary>
    private static Guid StubOf(string id) => new(SHA256.HashData(Encoding.UTF8.GetBytes("GET /products/" + id)).AsSpan(0, 16));
}
