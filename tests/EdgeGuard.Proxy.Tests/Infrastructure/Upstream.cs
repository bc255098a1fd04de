using WireMock.Server;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>Counts what reached the WireMock upstream, from its own request log.</summary>
public static class Upstream
{
    public static int CallsTo(this WireMockServer server, string path) =>
        server.LogEntries.Count(e => e.RequestMessage?.Path == path);

    public static int Calls(this WireMockServer server) => server.LogEntries.Count();
}
