namespace EdgeGuard.Testing.Faults;

/// <summary>A proxy's counters, updated by its connections; every change completes the signal waiters hold.</summary>
internal sealed class ProxyCounters
{
    private readonly Lock _lock = new();
    private long _accepted;
    private long _open;
    private long _reset;
    private long _upstreamForwarded;
    private long _upstreamHeld;
    private long _downstreamForwarded;
    private long _downstreamHeld;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The counters now and a task that completes at the next change.</summary>
    public (FaultProxyCounters Counters, Task Changed) Read()
    {
        lock (_lock)
        {
            return (new FaultProxyCounters(_accepted, _open, _reset,
                new DirectionCounters(_upstreamForwarded, _upstreamHeld), new DirectionCounters(_downstreamForwarded, _downstreamHeld)), _changed.Task);
        }
    }

    public void Accepted() => Change(() =>
    {
        _accepted++;
        _open++;
    });

    public void Closed(bool reset) => Change(() =>
    {
        _open--;
        if (reset)
        {
            _reset++;
        }
    });

    public void Read(FaultDirection direction, long bytes) => Change(() =>
    {
        if (direction == FaultDirection.Upstream)
        {
            _upstreamHeld += bytes;
        }
        else
        {
            _downstreamHeld += bytes;
        }
    });

    public void Delivered(FaultDirection direction, long bytes) => Change(() =>
    {
        if (direction == FaultDirection.Upstream)
        {
            _upstreamHeld -= bytes;
            _upstreamForwarded += bytes;
        }
        else
        {
            _downstreamHeld -= bytes;
            _downstreamForwarded += bytes;
        }
    });

    /// <summary>Bytes that will never be delivered (their connection was reset).</summary>
    public void Discarded(FaultDirection direction, long bytes) => Change(() =>
    {
        if (direction == FaultDirection.Upstream)
        {
            _upstreamHeld -= bytes;
        }
        else
        {
            _downstreamHeld -= bytes;
        }
    });

    private void Change(Action update)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            update();
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }
}
