using System.Net;
using System.Net.Sockets;

namespace EdgeGuard.Testing.Faults;

/// <summary>
/// One client connection through a <see cref="FaultProxy"/> and its connection to the target, made only once the
/// proxy is not holding (a partitioned client reaches nobody). A source that fails, a target that refuses, or an
/// abort by the proxy resets both sides (RST); clean ends on both sides close it. Runs on threads of its own.
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
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sockets = new();
    private Socket? _targetSocket;
    private bool _isClosed;
    private int _cleanEnds;

    public ProxyConnection(Socket client, IPEndPoint target, FaultState state, ProxyCounters counters, Action<ProxyConnection> closed)
    {
        _client = client;
        _target = target;
        _state = state;
        _counters = counters;
        _closed = closed;
        Client = (IPEndPoint)client.RemoteEndPoint!;
        _upstream = new Lane(FaultDirection.Upstream, Client, state, counters);
        _downstream = new Lane(FaultDirection.Downstream, Client, state, counters);
    }

    /// <summary>Where the client connected from.</summary>
    public IPEndPoint Client { get; }

    /// <summary>Completes once the connection is closed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Bytes read from either side and not yet delivered.</summary>
    public long Pending => _upstream.Pending + _downstream.Pending;

    public void Start()
    {
        StartThread(() => _upstream.Read(_client), "client reader");
        StartThread(Run, "connection");
    }

    /// <summary>Resets both sides at once (RST), dropping what was not delivered.</summary>
    public void Abort() => Close(reset: true);

    /// <summary>Returns once no write begun under an earlier mode is still going on, in either direction.</summary>
    public void Quiesce()
    {
        _upstream.Quiesce();
        _downstream.Quiesce();
    }

    private void Run()
    {
        try
        {
            if (!WaitWhileHolding())
            {
                Close(reset: true);
                return;
            }

            var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            lock (_sockets)
            {
                if (_isClosed)
                {
                    target.Dispose();
                    return;
                }

                _targetSocket = target;
            }

            target.Connect(_target);
            StartThread(() => _downstream.Read(target), "target reader");
            StartThread(() => Ended(_upstream.Write(target)), "upstream writer");
            Ended(_downstream.Write(_client));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(reset: true);
        }
    }

    /// <summary>A lane that ends in an abort resets the connection at once; clean ends of both close it.</summary>
    private void Ended(bool clean)
    {
        if (!clean)
        {
            Close(reset: true);
        }
        else if (Interlocked.Increment(ref _cleanEnds) == 2)
        {
            Close(reset: false);
        }
    }

    /// <summary>Waits while the proxy holds this client; false when the connection is to be reset or was closed meanwhile.</summary>
    private bool WaitWhileHolding()
    {
        while (true)
        {
            var (settings, tick) = _state.Read();
            lock (_sockets)
            {
                if (_isClosed)
                {
                    return false;
                }
            }

            switch (settings.ModeFor(Client))
            {
                case FaultMode.Hold:
                    _state.WaitPast(tick, due: null);
                    break;
                case FaultMode.Reset:
                    return false;
                default:
                    return true;
            }
        }
    }

    private void Close(bool reset)
    {
        lock (_sockets)
        {
            if (_isClosed)
            {
                return;
            }

            _isClosed = true;
            Shut(_client, reset);
            Shut(_targetSocket, reset);
        }

        _upstream.Stop();
        _downstream.Stop();
        _state.Wake();
        _counters.Closed(reset);
        _closed(this);
        _completion.SetResult();
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

    private static void StartThread(Action work, string name) =>
        new Thread(() => work()) { IsBackground = true, Name = $"fault proxy {name}" }.Start();
}
