using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

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
}
