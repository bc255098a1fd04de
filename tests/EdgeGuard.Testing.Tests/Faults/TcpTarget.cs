using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace EdgeGuard.Testing.Tests.Faults;

/// <summary>
/// The far side of a proxy in a test: a loopback listener whose accepted connections the test takes one by one
/// (to write to them, or read what came through), or echoes back when <paramref name="echo"/> is set.
/// </summary>
public sealed class TcpTarget : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Channel<Socket> _accepted = Channel.CreateUnbounded<Socket>();
    private readonly List<Socket> _all = [];
    private readonly bool _echo;
    private readonly Task _accepting;
    private int _acceptedCount;

    public TcpTarget(bool echo = false)
    {
        _echo = echo;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int Accepted => Volatile.Read(ref _acceptedCount);

    /// <summary>The next connection that reached this target (waits for it, up to 10 s).</summary>
    public async Task<Socket> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _accepted.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _accepting;
        lock (_all)
        {
            _all.ForEach(socket => socket.Dispose());
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _acceptedCount);
            lock (_all)
            {
                _all.Add(socket);
            }

            if (_echo)
            {
                _ = EchoAsync(socket);
            }
            else
            {
                _accepted.Writer.TryWrite(socket);
            }
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read));
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>Reading and writing text on a socket in tests, with a deadline so a missing byte fails instead of hanging.</summary>
public static class SocketText
{
    /// <param name="from">The local address to connect from (another loopback address than 127.0.0.1), or null.</param>
    public static async Task<Socket> ConnectAsync(int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    public static async Task SendAsync(this Socket socket, string text) => await socket.SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Reads exactly <paramref name="length"/> bytes.</summary>
    public static async Task<string> ReceiveAsync(this Socket socket, int length)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[length];
        for (var read = 0; read < length;)
        {
            var got = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            if (got == 0)
            {
                throw new IOException($"The connection ended after {read} of {length} bytes.");
            }

            read += got;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>
    /// Connects and reads until the connection ends; how it ended. A proxy that resets a connection as soon as it has
    /// accepted it may have done so before the client's connect completed: that is the same outcome.
    /// </summary>
    public static async Task<SocketError> ConnectAndReceiveEndAsync(int port)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(port);
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }

        using (socket)
        {
            return await socket.ReceiveEndAsync();
        }
    }

    /// <summary>The error the next receive ends with: ConnectionReset for an RST (or Success for a clean end).</summary>
    public static async Task<SocketError> ReceiveEndAsync(this Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var buffer = new byte[64];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }
}
