using System.Net.Sockets;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// HTTP clients whose connections come from a chosen loopback address (all of 127.0.0.0/8 is loopback on Linux),
/// so one machine can play several clients of a real Kestrel: the gateway sees each as its own remote address.
/// </summary>
public static class LoopbackClient
{
    public static HttpClient From(string localAddress, Uri server)
    {
        var local = IPAddress.Parse(localAddress);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
    }
}
