using WireMock.Server;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>Counts what reached the WireMock upstream, from its own request log.</summary>
public static class Upstream
{
    public static int CallsTo(this WireMockServer server, string path) =>
        server.LogEntries.Count(e => e.RequestMessage?.Path == path);

    public static int Calls(this WireMockServer server) => server.LogEntries.Count();

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
