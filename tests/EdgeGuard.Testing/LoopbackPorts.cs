using System.Net;
using System.Net.Sockets;

namespace EdgeGuard.Testing;

/// <summary>Ports for the servers tests start (Redis, PostgreSQL, gateway processes).</summary>
public static class LoopbackPorts
{
    /// <summary>A port nobody listens on right now; a server that loses the race for it retries with another.</summary>
    public static int Free()
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
