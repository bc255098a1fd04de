using System.Net;
using System.Net.Sockets;

namespace EdgeGuard.Testing.Faults;

/// <summary>
/// One client connection through a <see cref="FaultProxy"/> and its connection to the target, made only once the
/// proxy is not holding (a partitioned client reaches nobody). A source that fails, a target that refuses, or an
/// abort by the proxy resets both sides (RST); clean ends on both sides close it.
/// </summary>
internal sealed class ProxyConnection
{
    private readonly Socket _client;
    private readonly IPEndPoint _target;
    private readonly FaultState _state;
    private readonly ProxyCounters _counters;
    private readonly Action<ProxyConnection> _closed;
    private readonly Lane _upstream;
    private readonly Lane _downstream;
    private readonly CancellationTokenSource _abort = new();
    private Socket? _targetSocket;
    private int _isClosed;
    private bool _wasReset;

    public ProxyConnection(Socket client, IPEndPoint target, FaultState state, ProxyCounters counters, TimeProvider time, Action<ProxyConnection> closed)
    {
        _client = client;
        _target = target;
        _state = state;
        _counters = counters;
        _closed = closed;
        Client = (IPEndPoint)client.RemoteEndPoint!;
        _upstream = new Lane(FaultDirection.Upstream, Client, state, counters, time);
        _downstream = new Lane(FaultDirection.Downstream, Client, state, counters, time);
    }

    /// <summary>Where the client connected from.</summary>
    public IPEndPoint Client { get; }

    /// <summary>Completes once the connection is closed.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Bytes read from either side and not yet delivered.</summary>
    public long Pending => _upstream.Pending + _downstream.Pending;

    public void Start() => Completion = RunAsync();

    /// <summary>Resets both sides at once (RST), dropping what was not delivered.</summary>
    public void Abort() => Close(reset: true);

    /// <summary>Returns once no write begun under an earlier mode is still going on, in either direction.</summary>
    public async Task QuiesceAsync()
    {
        await _upstream.QuiesceAsync();
        await _downstream.QuiesceAsync();
    }

    private async Task RunAsync()
    {
        var reset = true;
        var cancellationToken = _abort.Token;
        try
        {
            _ = _upstream.ReadAsync(_client, cancellationToken);
            await WaitWhileHoldingAsync(cancellationToken);
            _targetSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _targetSocket.ConnectAsync(_target, cancellationToken);
            _ = _downstream.ReadAsync(_targetSocket, cancellationToken);
            var upstream = _upstream.WriteAsync(_targetSocket, cancellationToken);
            var downstream = _downstream.WriteAsync(_client, cancellationToken);
            var first = await Task.WhenAny(upstream, downstream);
            if (await first)
            {
                reset = !await (first == upstream ? downstream : upstream);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            Close(reset);
            Shut(_targetSocket, _wasReset); // made after an abort closed the others
        }
    }

    private async Task WaitWhileHoldingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (settings, changed) = _state.Read();
            switch (settings.ModeFor(Client))
            {
                case FaultMode.Hold:
                    await changed.WaitAsync(cancellationToken);
                    break;
                case FaultMode.Reset:
                    throw new OperationCanceledException("The proxy resets every connection.");
                default:
                    return;
            }
        }
    }

    private void Close(bool reset)
    {
        if (Interlocked.Exchange(ref _isClosed, 1) == 1)
        {
            return;
        }

        _wasReset = reset;
        Shut(_client, reset);
        Shut(_targetSocket, reset);
        _abort.Cancel();
        _upstream.DiscardPending();
        _downstream.DiscardPending();
        _counters.Closed(reset);
        _closed(this);
    }

    private static void Shut(Socket? socket, bool reset)
    {
        if (socket is null)
        {
            return;
        }

        try
        {
            if (reset)
            {
                socket.LingerState = new LingerOption(true, 0); // close sends RST
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}
