using System.Net;

namespace EdgeGuard.Testing.Faults;

/// <summary>The mode a proxy is in, what a delay needs, and which clients' connections the mode applies to (null: all).</summary>
internal sealed record FaultSettings(FaultMode Mode, DelayFault? Delay, IEnumerator<TimeSpan>? Stalls, Func<IPEndPoint, bool>? Clients)
{
    public static FaultSettings Pass { get; } = new(FaultMode.Pass, null, null, null);

    /// <summary>The mode for a connection from <paramref name="client"/>: the proxy's, or Pass for a client outside its scope.</summary>
    public FaultMode ModeFor(IPEndPoint client) => Clients is null || Clients(client) ? Mode : FaultMode.Pass;
}

/// <summary>
/// A proxy's current <see cref="FaultSettings"/>, shared by its connections. A reader takes the settings together with
/// the signal of their next change, so a change after the read is never missed.
/// </summary>
internal sealed class FaultState
{
    private readonly Lock _lock = new();
    private FaultSettings _settings = FaultSettings.Pass;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FaultMode Mode
    {
        get
        {
            lock (_lock)
            {
                return _settings.Mode;
            }
        }
    }

    /// <summary>The settings in force and a task that completes when they change.</summary>
    public (FaultSettings Settings, Task Changed) Read()
    {
        lock (_lock)
        {
            return (_settings, _changed.Task);
        }
    }

    public void Set(FaultSettings settings)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _settings = settings;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }

    /// <summary>The next chunk's stall under <paramref name="settings"/> (zero when they are not a delay).</summary>
    public static TimeSpan DrawStall(FaultSettings settings)
    {
        if (settings.Stalls is not { } stalls)
        {
            return TimeSpan.Zero;
        }

        lock (stalls)
        {
            stalls.MoveNext();
            return stalls.Current;
        }
    }
}
