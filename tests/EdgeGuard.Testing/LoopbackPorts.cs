using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace EdgeGuard.Testing;

/// <summary>Ports for the servers tests start (Redis, PostgreSQL, gateway processes).</summary>
public static class LoopbackPorts
{
    private const int Attempts = 1000;

    // Ports already handed out in this test run. The system may give a port it just gave back to the very next bind,
    // so two servers started one after the other (a cluster's instances) could be handed the same port, and the second
    // would fail to bind it while clients of the first reached whichever won.
    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>A port nobody listens on right now and that no earlier call in this run returned. Another process can
    /// still take it before the server binds it: that server then fails to start, and says so in its output.</summary>
    public static int Free()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Unused();
            if (HandedOut.TryAdd(port, 0) || attempt == Attempts)
            {
                return port;
            }
        }
    }

    private static int Unused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
