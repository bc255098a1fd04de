using System.Net;
using System.Net.Sockets;

namespace EdgeGuard.Testing.Faults;

/// <summary>
/// A fault-injecting TCP proxy on a loopback port (or another local address: a bridge that network namespaces reach the
/// host through), in the manner of Shopify's toxiproxy: clients connect to
/// <see cref="Port"/> and their bytes are forwarded to <see cref="Target"/>, or held, delayed or reset as the mode
/// says (<see cref="FaultMode"/>), for every client or only for some (by the address a client connects from: a
/// program bound to another loopback address, 127.0.0.2, can be cut off alone). The mode can be changed at any time;
/// a change returns once it is in force for every current connection (no write begun under the old mode is still
/// going on). <see cref="Counters"/> and
/// <see cref="WaitUntilAsync"/> let a test wait for what happened ("a byte is being held") instead of sleeping.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly FaultState _state;
    private readonly ProxyCounters _counters = new();
    private readonly Lock _lock = new();
    private readonly HashSet<ProxyConnection> _connections = [];
    private readonly Thread _accepting;

    private FaultProxy(IPEndPoint target, IPAddress listenAddress, int listenPort, TimeProvider time)
    {
        Target = target;
        _state = new FaultState(time);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(listenAddress, listenPort));
        _listener.Listen(512);
        Address = listenAddress;
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = new Thread(Accept) { IsBackground = true, Name = $"fault proxy {Port} accept" };
        _accepting.Start();
    }

    /// <summary>Where the bytes go.</summary>
    public IPEndPoint Target { get; }

    /// <summary>The address clients connect to (loopback unless the proxy was started on another).</summary>
    public IPAddress Address { get; }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    public FaultMode Mode => _state.Mode;

    public FaultProxyCounters Counters => _counters.Read().Counters;

    /// <summary>Starts a proxy in <see cref="FaultMode.Pass"/> to <paramref name="target"/>.</summary>
    /// <param name="listenPort">The port to listen on; 0 for a free one.</param>
    /// <param name="time">The clock delays are measured with (a fake one makes delay tests exact).</param>
    /// <param name="listenAddress">The local address to listen on; null for loopback.</param>
    public static FaultProxy Start(IPEndPoint target, int listenPort = 0, TimeProvider? time = null, IPAddress? listenAddress = null) =>
        new(target, listenAddress ?? IPAddress.Loopback, listenPort, time ?? TimeProvider.System);

    /// <summary>Starts a proxy in <see cref="FaultMode.Pass"/> to a loopback port.</summary>
    public static FaultProxy Start(int targetPort) => Start(new IPEndPoint(IPAddress.Loopback, targetPort));

    /// <summary>A partition: from now on no byte is delivered either way; connections stay open and new ones are accepted.</summary>
    /// <param name="only">The clients (by the address they connect from) whose connections are held; the others pass. Null: all.</param>
    public Task HoldAsync(Func<IPEndPoint, bool>? only = null) => ChangeAsync(new FaultSettings(FaultMode.Hold, null, null, only));

    /// <summary>From now on every chunk is delivered after <paramref name="delay"/>'s latency and stalls.</summary>
    /// <param name="only">The clients whose connections are delayed; the others pass. Null: all.</param>
    public Task DelayAsync(DelayFault delay, Func<IPEndPoint, bool>? only = null) =>
        ChangeAsync(new FaultSettings(FaultMode.Delay, delay, delay.Stalls().GetEnumerator(), only));

    /// <summary>Back to <see cref="FaultMode.Pass"/>; what a hold or a delay kept is delivered or dropped as <paramref name="held"/> says.</summary>
    public async Task HealAsync(HeldBytes held = HeldBytes.Deliver)
    {
        if (held == HeldBytes.Drop)
        {
            List<ProxyConnection> holding;
            lock (_lock)
            {
                holding = _connections.Where(connection => connection.Pending > 0).ToList();
            }

            await AbortAsync(holding);
        }

        await ChangeAsync(FaultSettings.Pass);
    }

    /// <summary>Resets every connection (RST to both sides) and, until the next change, every new one as soon as it is accepted.</summary>
    /// <param name="only">The clients whose connections are reset; the others pass. Null: all.</param>
    public async Task ResetAsync(Func<IPEndPoint, bool>? only = null)
    {
        List<ProxyConnection> current;
        lock (_lock)
        {
            var settings = new FaultSettings(FaultMode.Reset, null, null, only);
            _state.Set(settings);
            current = _connections.Where(connection => settings.ModeFor(connection.Client) == FaultMode.Reset).ToList();
        }

        await AbortAsync(current);
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the counters; throws <see cref="TimeoutException"/> with them if it does not in time.</summary>
    public async Task<FaultProxyCounters> WaitUntilAsync(Func<FaultProxyCounters, bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultWait;
        using var cancel = new CancellationTokenSource(limit);
        while (true)
        {
            var (counters, changed) = _counters.Read();
            if (condition(counters))
            {
                return counters;
            }

            try
            {
                await changed.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The proxy to {Target} did not see {what} within {limit.TotalSeconds} s; {Counters}.");
            }
        }
    }

    /// <summary>Waits until at least <paramref name="bytes"/> bytes are held (read and not delivered).</summary>
    public Task<FaultProxyCounters> WaitForHeldBytesAsync(long bytes = 1, TimeSpan? timeout = null) =>
        WaitUntilAsync(counters => counters.BytesHeld >= bytes, $"{bytes} bytes held", timeout);

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        _accepting.Join();
        List<ProxyConnection> current;
        lock (_lock)
        {
            current = [.. _connections];
        }

        await AbortAsync(current);
    }

    private Task ChangeAsync(FaultSettings settings)
    {
        List<ProxyConnection> current;
        lock (_lock)
        {
            _state.Set(settings);
            current = [.. _connections];
        }

        foreach (var connection in current)
        {
            connection.Quiesce();
        }

        return Task.CompletedTask;
    }

    private static async Task AbortAsync(IReadOnlyCollection<ProxyConnection> connections)
    {
        foreach (var connection in connections)
        {
            connection.Abort();
        }

        await Task.WhenAll(connections.Select(connection => connection.Completion));
    }

    private void Accept()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (ObjectDisposedException)
            {
                return; // disposed
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.InvalidArgument)
            {
                return; // the listener was closed under the accept
            }
            catch (SocketException)
            {
                continue; // one client's failed handshake; the listener goes on
            }

            client.NoDelay = true;
            var connection = new ProxyConnection(client, Target, _state, _counters, Forget);
            _counters.Accepted();
            bool reset;
            lock (_lock)
            {
                reset = _state.Read().Settings.ModeFor(connection.Client) == FaultMode.Reset;
                if (!reset)
                {
                    _connections.Add(connection);
                }
            }

            if (reset)
            {
                connection.Abort();
            }
            else
            {
                connection.Start();
            }
        }
    }

    private void Forget(ProxyConnection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }
}
