using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeGuard.Testing.Redis;

/// <summary>
/// One command on a connection of its own, in Redis's wire format: for probes (PING while a server starts) and
/// for commands that stall the server (<c>DEBUG SLEEP</c>), which would block a shared connection.
/// </summary>
public static class RedisWire
{
    /// <summary>Sends <paramref name="command"/> and returns the first bytes of the reply, raw.</summary>
    public static async Task<string> SendAsync(int port, IReadOnlyList<string> command, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(command.Count).Append("\r\n");
        foreach (var part in command)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>True when the server on <paramref name="port"/> answers PING with PONG within a second.</summary>
    public static async Task<bool> PingAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            return (await SendAsync(port, ["PING"], timeout.Token)).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when ((e is SocketException or IOException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
