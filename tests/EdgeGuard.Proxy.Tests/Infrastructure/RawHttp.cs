using System.Net.Sockets;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>Requests no HTTP client would send (a lying Content-Length, CONNECT to a path), over a real socket.</summary>
public static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> as is and returns the status code of the answer.</summary>
    public static async Task<int> StatusOfAsync(Uri server, string request, TimeSpan? readTimeout = null)
    {
        var (status, _) = await SendAsync(server, request, keepOpen: false, readTimeout);
        return status;
    }

    /// <summary>
    /// Sends <paramref name="request"/>; with <paramref name="keepOpen"/> the connection stays open after it
    /// (a client that promised more body than it sent and then waits). Returns the status and the raw answer.
    /// </summary>
    public static async Task<(int Status, string Answer)> SendAsync(Uri server, string request, bool keepOpen, TimeSpan? readTimeout = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        if (!keepOpen)
        {
            tcp.Client.Shutdown(SocketShutdown.Send);
        }

        using var timeout = new CancellationTokenSource(readTimeout ?? TimeSpan.FromSeconds(30));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var text = answer.ToString();
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lengthLine = text.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (headerEnd >= 0 && lengthLine is not null && int.TryParse(lengthLine["Content-Length:".Length..].Trim(), out var length))
        {
            while (answer.Length < headerEnd + 4 + length)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            text = answer.ToString();
        }

        var statusLine = text.Split("\r\n")[0];
        return (int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), text);
    }
}
